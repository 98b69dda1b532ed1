"""The variables assignment (chapter 3): state that changes in place."""

CHAPTER = 3
