"""Rosenblatt's perceptron machine: a retina, 784 knobs and a bulb, on real MNIST."""
