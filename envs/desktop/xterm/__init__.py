"""The xterm terminal with bash: file and text tasks graded by the files they leave or an exact answer."""
