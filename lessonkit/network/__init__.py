"""The batched network that the capstone trains: numpy only.

- :mod:`.fast`: im2col/col2im and the batched forward and backward pass (``lessonkit.fast``);
- :mod:`.nn`: layers (Conv, ActivationLayer, Flatten, Dense) and Sequential;
- :mod:`.losses`, :mod:`.optim`: softmax cross-entropy; SGD, Adam and a cosine schedule;
- :mod:`.bench`: timing the loop against the fast path (``python -m lessonkit.network.bench``).
"""
