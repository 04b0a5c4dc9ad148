"""Drop the appeals that close a story: subscribe, follow us, support our journalism, write to us.

Newsrooms end the text with a line addressed to the reader rather than about the news ("Subscribe
now to our e-edition", "Folgen Sie uns auf Twitter", "Suscríbete a nuestra newsletter"). Such a
line sits inside the body container, so the finder keeps it. It is told by the call itself (an
imperative or a direct address with subscribe, sign up, follow, support, download), matched as
words, in the languages the corpora showed, and only near the end of the text and in a short
paragraph: a story about a newsletter or an app keeps its sentences.
"""

from __future__ import annotations

import re

__all__ = ["drop_appeals"]

_TAIL = 5  # paragraphs at the end of the text that may be appeals
_MAX_APPEAL = 300  # characters: an appeal is a line or two, not a paragraph of the story
_APPEAL = re.compile(
    # English
    r"\b(?:subscribe (?:now|today|to|for|here)|sign(?:ing)? up (?:for|to|here|now|today)"
    r"|follow (?:us|(?:[\w.@]+ ){1,3}on (?:twitter|facebook|instagram|linkedin|tiktok|telegram))"
    r"|download (?:the|our) \w*\s?apps?"
    r"|(?:consider )?support(?:ing)? (?:our|us|independent) \w+|submit a letter"
    r"|write to us|letter to the editor via|never miss (?:the|a|an)"
    r"|for the latest (?:news|stories)|get the latest news|share this (?:article|story|post)"
    r"|click here to (?:subscribe|sign up|support|donate)|(?:need|rely on) your support"
    # German
    r"|abonnieren sie|newsletter abonnieren|(?:jetzt|hier) (?:abonnieren|registrieren)"
    r"|(?:melden sie sich|melde dich) (?:hier |jetzt )?(?:für|zum|zu unserem)"
    r"|registrieren sie sich|unterstützen sie (?:uns|diese|unsere|unabhängigen)"
    r"|unterstütze uns|zeigen sie ihre wertschätzung|folgen sie uns|folge uns"
    r"|diskutieren sie mit|werden sie mitglied|(?:den|diesen) (?:artikel|beitrag) teilen"
    r"|(?:brauchen|benötigen) wir (?:deine|ihre) unterstützung|einfach hier klicken"
    # Spanish, Portuguese
    r"|suscr[ií]bete|suscr[ií]base|suscribirse (?:aquí|a)|s[ií]guenos|puede escribirnos"
    r"|[úu]nete (?:a|desde)|nuestro canal de (?:youtube|telegram|whatsapp)"
    r"|assine (?:já|agora|o|a)|inscreva-se|siga-nos"
    # French, Italian, Polish
    r"|abonnez-vous|inscrivez-vous|soutenez-nous|suivez-nous|iscriviti|seguici"
    r"|zapraszamy (?:też )?do subskrypcji|wesprzyj nas)\b",
    re.IGNORECASE,
)


def drop_appeals(paragraphs: list[str]) -> list[str]:
    """`paragraphs` without the reader appeals among the last few (never the first)."""
    if len(paragraphs) < 2:
        return paragraphs
    start = max(1, len(paragraphs) - _TAIL)
    return [
        p
        for i, p in enumerate(paragraphs)
        if i < start or len(p) > _MAX_APPEAL or not _APPEAL.search(p)
    ]
