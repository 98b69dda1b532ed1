# The kernel process exits in the middle of the run.
import os

os._exit(3)
