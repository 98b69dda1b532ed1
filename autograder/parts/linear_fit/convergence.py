"""Part 3 of linear_fit: both steps, run long, must reach the least-squares optimum."""

from autograder.judging.linear_fit import judge_convergence
from autograder.parts.spec import CustomPart

PART = CustomPart(number=3, points=2, summary="nothing new: both steps must converge",
                  functions=("train_step_numpy", "train_step_tf", "Model"),
                  check="check_convergence", judge_record=judge_convergence,
                  stages=("convergence",))
