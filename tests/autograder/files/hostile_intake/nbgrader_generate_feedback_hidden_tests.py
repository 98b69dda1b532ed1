"""nbgrader's own next step on the autograded copies hands the hidden tests to learners."""
# earned (before): after `python -m autograder grade tensors SUBMISSIONS --out _build/grading`
#   (the README's setup), nbgrader's standard `generate_feedback tensors` (run e.g. to
#   include a formgrader comment) converts OUT/autograded/<learner>/tensors/tensors.ipynb
#   into OUT/feedback/<learner>/tensors/tensors.html, overwriting the grader's page: the
#   page holds every "### BEGIN HIDDEN TESTS" cell and its outputs (6 in tensors), and
#   `release_feedback` then publishes it. Seen with nbgrader 0.9.6 on a real grading run
#   (feedback_directory pointed elsewhere: 6 hidden-test blocks, the grader's page: 0).
#   No hostile learner needed, but it is the copy carrying hidden test code back.
# should: generate_feedback never shows hidden tests (or cannot run on these copies).
# fix: autograder/nbgrader_config.py: c.GenerateFeedback.preprocessors =
#   [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor] (nbgrader.preprocessors), and
#   say in README's formgrader paragraph that release_feedback follows `grade` directly.
COMMAND = ("nbgrader generate_feedback tensors --CourseDirectory.root=OUT "
           "--CourseDirectory.autograded_directory=autograded "
           "--CourseDirectory.feedback_directory=feedback-nb "
           "--CourseDirectory.db_url=sqlite:///GRADEBOOK")
