// GPT: the model and everything around it.
//
// What will live here (see the GPT issue): GPTConfig with presets, GPTModel
// (forward, generate, computeLoss, numParameters), sampling strategies and a KV
// cache, character and byte-level BPE tokenizers, safetensors checkpoints
// (including Hugging Face GPT-2 weights), the training loop and an
// encoder-decoder transformer.
