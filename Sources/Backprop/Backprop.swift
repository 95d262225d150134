// Backprop: hand-written backward passes, in llm.c's spirit (no autograd engine).
//
// What will live here (see the Backprop issue): a backward beside each forward
// the GPT uses, a gradient checker (central finite differences in Double),
// cross-entropy with ignore index and label smoothing, SGD with momentum, Adam
// and AdamW, learning-rate schedules, clipping by global norm and gradient
// accumulation.
