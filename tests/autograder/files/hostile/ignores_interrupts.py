# Ignores the interrupt that ends a timed-out cell and sleeps on: the kernel never answers.
import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
time.sleep(10**6)
