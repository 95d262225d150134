// NN: forward-only layer objects that mirror LiteTorch's API.
//
// What will live here (see the NN issue): a small layer protocol with named,
// hierarchical parameters (`blocks.0.attn.qkv.weight`) and seeded
// initialisation; Linear, Embedding, LayerNorm, RMSNorm, Dropout and the
// activations; FeedForward (standard, GLU, SwiGLU); sinusoidal, learned and
// rotary positions and ALiBi; scaled dot-product and multi-head attention with
// causal and padding masks; pre- and post-norm transformer blocks. One layer per
// file, each depending on NDArray alone so that it can be copied out.
