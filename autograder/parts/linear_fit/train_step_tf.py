"""Part 2 of linear_fit: the same step with tf.Variables and a tape, the loss swapped too."""

from autograder.judging.linear_fit import judge_train_step_tf
from autograder.parts.spec import CustomPart

PART = CustomPart(number=2, points=4, summary="`train_step_tf`",
                  functions=("train_step_tf", "Model"), check="check_train_step_tf",
                  judge_record=judge_train_step_tf,
                  stages=("one step", "trajectory", "convergence"))
