// Tests for the Backprop module arrive with the module itself (see its issue).
// Each file there will be an exercise on one concept, checked against PyTorch
// fixtures or finite differences.
