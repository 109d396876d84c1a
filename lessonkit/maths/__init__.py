"""The lecture's maths, one sample at a time: numpy only, written the way the lecture derives it.

- :mod:`.validate`: argument checks whose messages name the argument and echo it (shared with
  :mod:`lessonkit.network`);
- :mod:`.ops`: pad, rot180, dilate and correlate2d, the four moves of the backward pass;
- :mod:`.conv`: the forward pass and the two backward steps (δ to the previous layer, δ to W and b);
- :mod:`.activations`, :mod:`.gradcheck`, :mod:`.layer`: f and f', central differences, one conv layer;
- :mod:`.symbolic`: the same sums written out with sympy, so a lesson can print them.
"""
