# Raises an exception whose message carries terminal control sequences: a window title and
# a clipboard write (OSC 0 and OSC 52, each ended by BEL), clear-screen (ESC [2J) and a C1
# CSI. The message reaches the grader twice: in the probe's report (the TensorFlow part's
# error) and in the runner's summary (the test cells that call this step stop with it).
SOLUTION

SEQUENCES = "\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x9b31m\x07"


def train_step_tf(model, inputs, outputs, learning_rate):
    raise RuntimeError("the tape was lost" + SEQUENCES)
