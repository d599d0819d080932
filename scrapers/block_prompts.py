"""Lines asking the reader to comment, to register for it, or to write in: the site's voice, not the story's.

With familiar names the comment form's box ("comment-respond", "comments-login") and the letters box are
cut as chrome; an unseen template leaves their lines in the body: "Verraten Sie gerne in den
Kommentaren: ...", "Para comentar debes registrarte y completar los datos generales.", "Si vous souhaitez
critiquer ou développer cet article, vous êtes invité à proposer un texte", "Submit your letter to the
editor via this form." Each speaks to the reader ("you", "Sie", "vous", "debes") about the page's
comments or letters, and opens with it (after at most a question). A story reports what others were
told to do, in the third person, and a tutorial closing with "ask me in the comments below" says
something first; both stay.
"""

from __future__ import annotations

import re

PROMPT_MAX_CHARS = 250

_PROMPT = re.compile(
    r"(?i)\b(?:"
    # the comments as the place to answer: "in the comments", "in den Kommentaren", "en los comentarios"
    r"(?:in|below in) the comments(?: below| section)?|(?:unten )?in (?:den|die) kommentare(?:n|n unten)?|"
    r"dans les commentaires|en (?:los|la sección de) comentarios|"
    # leave one: "Leave a comment", "Hinterlasse einen Kommentar", "Laissez un commentaire", "Deja tu comentario"
    r"leave (?:a|your) (?:comment|reply)|hinterlass\w* (?:gerne |doch )?(?:einen|deinen|ihren) kommentar|"
    r"laissez (?:un|votre) commentaire|deja (?:un|tu|su) comentario|"
    # register or log in to comment: "Para comentar debes registrarte", "Um zu kommentieren, melden Sie sich"
    r"(?:to|um zu|pour|para) (?:post a |leave a )?(?:comment|kommentieren|commenter|comentar)\b.{0,60}"
    r"\b(?:regist\w*|log ?in|sign ?in|anmeld\w*|einlogg\w*|connect\w*|inicia\w*|suscri\w*)|"
    r"(?:regist\w*|log ?in|logged in|sign ?in|signed in|anmelden|einloggen|eingeloggt|angemeldet|connecté\w*|"
    r"connectez-vous|inicia sesión)\b.{0,40}"
    r"\b(?:to|um zu|pour|para) (?:post a |leave a )?(?:comment|kommentieren|commenter|comentar)\b|"
    # write in: "Submit your letter to the editor", "Si vous souhaitez critiquer ou développer cet article"
    r"(?:submit|send) (?:us )?(?:your|a) letter|schreiben sie (?:uns )?(?:einen )?leserbrief|"
    r"si vous souhaitez (?:critiquer|réagir à|commenter|répondre à|développer))"
)
_READER = re.compile(
    r"(?i)\b(?:you|your|sie|ihr|du|dein\w*|euch|vous|votre|debes|usted|tu|te|leave|hinterlass\w*|"
    r"laissez|deja|submit|send|verraten|schreiben|teilen|let us know|tell us|lass(?:t)? uns wissen|"
    r"dites-nous|cuéntanos|dinos)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_KEYS = ("comment", "kommentar", "commentaire", "comentar", "letter", "leserbrief", "souhaitez")


def prompt_line(text: str) -> bool:
    """A line asking the reader to comment, to register to comment, or to write in."""
    if len(text) > PROMPT_MAX_CHARS:
        return False
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return False  # most lines hold none of the words every prompt must contain
    # the prompt opens the line, after at most a question to the reader ("¿Qué opina? Deja tu
    # comentario"): a tutorial's last paragraph that ends "tell me about it in the comments below" is
    # the piece's own closing, and stays
    for sentence in _SENTENCE.split(text):
        if _PROMPT.search(sentence) is not None and _READER.search(sentence) is not None:
            return True
        if not sentence.rstrip().endswith("?"):
            return False
    return False


def drop_prompts(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the lines asking the reader to comment or write in."""
    if not any(prompt_line(text) for text in paragraphs):
        return paragraphs
    return [text for text in paragraphs if not prompt_line(text)]
