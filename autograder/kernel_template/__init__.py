"""A kernel template: Python, NumPy, TensorFlow and ipykernel imported once, a kernel forked per notebook.

Every notebook run starts a fresh Python that imports TensorFlow (about 3 s of CPU) and
ipykernel before its first cell runs. The template (template.py) pays for those imports
once and forks a child per kernel that jupyter_client asks for (provisioner.py: a kernel
provisioner, Jupyter's own extension point; wire.py: what they say to each other;
fresh_kernel.py: what the child undoes to be a fresh kernel; kernelspec.py writes the
kernelspec that names the provisioner and starts the template beside a build).

Why a child is as fresh as a kernel started from nothing:
- it is a new process: whatever its notebook changes (module attributes, sys.modules,
  environment, threads, files it opens) stays in it and ends with it; the template runs no
  notebook code and only forks, so the next child starts from the same untouched state;
- the template has started no thread (checked before it serves: a fork copies only the
  forking thread, so a thread's locks could be left held) and created no ZeroMQ context
  or event loop: the child makes its own, as a fresh kernel does;
- the child starts its own session (setsid, as jupyter_client's launcher does), takes the
  working folder and environment the provisioner asked for, reseeds NumPy's global
  random generator (Python's `random` reseeds itself after a fork), lets TensorFlow make
  its logger again inside the kernel and reads the page's own matplotlibrc if it has one.

What stays the template's: settings its imports read from the environment (the build's:
TF_CPP_MIN_LOG_LEVEL and the like; a page that sets one before `import tensorflow` changes
nothing; OpenBLAS has one thread), Python's hash seed, and the process title. A page could
write into the template's memory through /proc on purpose, as into the build's own
process: the pages are trusted, and it adds no sandbox.
The grader forks its kernels with this package too, inside a sandboxed grading template
whose every run is a sandbox of its own (autograder/sandbox/grading_template.py).
"""
