import sys

from autograder.kernel_template.template import main

sys.exit(main(sys.argv[1:]))
