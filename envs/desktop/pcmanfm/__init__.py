"""The PCManFM file manager: file and folder tasks graded by the home directory they leave."""
