"""The Mousepad text editor: editing tasks graded by the saved file, and questions about the text."""
