"""The minibatch assignment (chapter 5): minibatch epochs, reshuffling, Adam and a
TensorFlow momentum step. Every reference is :mod:`ttt.optim`'s; the randomness of an epoch
is fixed by the contract (the grader passes the permutation, or the seed of the generator
that draws one per epoch), so the learner's numbers compare exactly with the reference's."""

CHAPTER = 5
