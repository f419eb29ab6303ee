"""The Keras side: real models, weights and activations. TensorFlow is imported lazily here only."""
