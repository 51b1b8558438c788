"""Questions and answers: text normalisation, matching, and the menu/question handlers."""
