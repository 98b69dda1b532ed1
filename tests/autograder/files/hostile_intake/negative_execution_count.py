"""A learner cell that sets IPython's execution count below 0."""
# earned (before; sandbox, `grade tensors`, seed drawn): 0 of 8 and the status "stopped: the
#   notebook's processes were killed before the run finished": nbclient's own validation
#   ("-100 is less than the minimum of 0") raises out of runner.execute (only
#   DeadKernelError is caught), the runner prints no line; the formgrader copy has no
#   outputs. Only the learner's own grade, but the status blames the sandbox. A forged
#   execute_result with a negative execution_count fails autograded_copy.merge's
#   nbformat.validate the same way (no copy: "no copy for the formgrader").
# should: the run goes on (the count is the learner's business): each cell's count and an
#   output's count clamped to None when not a non-negative int, the status naming the
#   learner's cell if anything is refused.
# fix: autograder/sandbox/runner.py:121-122: catch Exception around client.execute_cell
#   (a summary "error" for that cell, then the next cell); autograded_copy.py:104 check
#   `0 <= count` as :123 does for the cell's count.
# Put after the answer cell of Part 1 (softmax_rows), as two unlabelled code cells:
CELLS = ["get_ipython().execution_count = -100", "1 + 1"]
