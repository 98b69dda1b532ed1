"""Part 1 of linear_fit: one gradient-descent step in NumPy, judged over short runs."""

from autograder.judging.linear_fit import judge_train_step_numpy
from autograder.parts.spec import CustomPart

PART = CustomPart(number=1, points=4, summary="`train_step_numpy`",
                  functions=("train_step_numpy",), check="check_train_step_numpy",
                  judge_record=judge_train_step_numpy,
                  stages=("one step", "trajectory", "convergence"))
