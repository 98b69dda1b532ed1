"""The tensors assignment (chapter 1): shapes, broadcasting, immutable tensors."""

CHAPTER = 1
