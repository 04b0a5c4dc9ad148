"""Rules of the generic body finder and its cleaning, each on a small hand-written page."""

from __future__ import annotations

from datetime import UTC, datetime

from ingestor.extract.article import extract_article

FETCHED = datetime(2026, 12, 1, tzinfo=UTC)
URL = "https://forum.example/thread/1"
_MENU = '<nav><a href="/">Start</a> <a href="/forum">Forum</a></nav>'


def _post(number: int, text: str) -> str:
    return f"""<article class="message js-post"><div class="message-user"><h4>user{number}</h4>
<span>Beiträge: {number * 10}</span></div><div class="message-main"><div class="bbWrapper">
{text}</div></div></article>"""


def test_story_told_in_twin_blocks_is_taken_whole() -> None:
    posts = [
        "Unser Kater schläft seit Tagen nur noch auf der Heizung, frisst aber gut und spielt abends, "
        "ist das im Winter normal, oder sollten wir zum Tierarzt gehen?",
        "Das ist bei unseren Katzen auch so, sobald es draußen kalt wird, suchen sie die wärmsten "
        "Plätze im Haus, und solange er frisst, würde ich mir keine Sorgen machen.",
        "Wenn er aber abnimmt, viel trinkt oder sich anders verhält als sonst, dann lieber einmal "
        "durchchecken lassen, gerade bei älteren Tieren lohnt sich das, meint unsere Ärztin.",
    ]
    html = f"""<html><body>{_MENU}<main><h1>Kater schläft nur noch</h1>
<div class="thread">{"".join(_post(i, p) for i, p in enumerate(posts))}</div></main>
<div class="sidebar"><a href="/a">Neue Themen im Forum für alle Katzenfreunde</a></div>
</body></html>"""
    record = extract_article(html, URL, fetched_at=FETCHED)
    assert record.provenance["text"] == "generic"
    assert record.text == "\n\n".join(posts)  # every post, in order, without user boxes


def test_twin_blocks_that_are_link_lists_stay_out() -> None:
    story = (
        "Der Gemeinderat hat am Dienstag beschlossen, die alte Schule zu sanieren, statt sie "
        "abzureißen, und dafür zwei Millionen Euro im Haushalt des nächsten Jahres eingeplant. "
    )
    teaser = '<div class="box"><p><a href="/t">Ein anderer Artikel über ein anderes Thema, lang genug</a></p></div>'
    html = f"""<html><body><div class="box"><p>{story * 3}</p><p>{story}</p></div>
{teaser * 3}</body></html>"""
    record = extract_article(html, "https://zeitung.example/a/1", fetched_at=FETCHED)
    assert "anderer Artikel" not in record.text
    assert record.text.startswith(story.strip())


def test_picture_credits_and_dangling_labels_are_dropped() -> None:
    para = (
        "Die Stadtwerke erneuern im Sommer die Wasserleitungen in der Altstadt, die Arbeiten "
        "dauern nach ihren Angaben bis in den Herbst, und Anwohner werden vorab informiert."
    )
    html = f"""<html><body><article class="post"><div class="entry-content">
<p>{para}</p><p>Foto: Max Mustermann</p><p>{para} Zwei.</p>
<p>Der Bürgermeister, photo: Archiv der Stadt</p><p>{para} Drei.</p>
<p>Abbildung 2: Der Plan der Leitungen in der Altstadt, Stand März</p>
<p>Siehe auch: Neue Buslinie fährt ab Montag durch die Altstadt</p>
<p>Bagger in der Altstadt am Montagmorgen, kurz nach Beginn der Arbeiten an der Leitung | © Stadtwerke / Max Muster</p>
<p>Weitere Informationen:</p></div></article></body></html>"""
    record = extract_article(html, "https://stadt.example/news/1", fetched_at=FETCHED)
    assert record.text == f"{para}\n\n{para} Zwei.\n\n{para} Drei."


def test_labels_inside_the_story_and_credits_in_sentences_are_kept() -> None:
    para = (
        "Im Verein trainieren inzwischen mehr als zweihundert Kinder, und die Halle ist an "
        "jedem Nachmittag belegt, weshalb der Vorstand einen Anbau plant."
    )
    quote = "Die Trainerin sagte über das Foto: Es zeigt unser erstes Turnier im Jahr 1998, das wir gewonnen haben."
    html = f"""<html><body><article class="post"><div class="entry-content">
<p>{para}</p><p>Die Pläne im Überblick:</p><ul><li>{para} Eins.</li><li>{para} Zwei.</li></ul>
<p>{quote}</p></div></article></body></html>"""
    record = extract_article(html, "https://verein.example/news/2", fetched_at=FETCHED)
    assert "Die Pläne im Überblick:" in record.text
    assert quote in record.text


def test_the_lead_in_an_articles_own_header_is_kept() -> None:
    lead = (
        "Die Landwirte im Kreis fordern mehr Geld für Blühstreifen, denn die bisherigen Prämien "
        "decken nach ihrer Rechnung nicht einmal die Kosten für das Saatgut und die Pflege."
    )
    para = (
        "Bei einem Treffen mit dem Landrat legten die Vertreter der Bauernverbände ihre Zahlen "
        "vor, und der Landrat sagte zu, sie an das Ministerium weiterzugeben, noch vor dem Sommer."
    )
    html = f"""<html><body><header class="site"><a href="/">Wochenblatt</a>
<p>Das Magazin für Landwirtschaft und ländliches Leben seit 1950</p></header>
<main><article><header><h1>Mehr Geld für Blühstreifen</h1><p class="lead">{lead}</p></header>
<div class="pagetext"><p>{para}</p><p>{para} Zwei.</p><p>{para} Drei.</p></div></article></main>
</body></html>"""
    record = extract_article(html, "https://blatt.example/a/3", fetched_at=FETCHED)
    assert record.text.startswith(lead + "\n\n" + para)
    assert "Magazin für Landwirtschaft" not in record.text


def test_the_heading_of_a_dropped_link_list_goes_with_it() -> None:
    para = (
        "Die Volleyballerinnen aus Stuttgart gewinnen auch ihr drittes Heimspiel in Folge, "
        "diesmal deutlich in drei Sätzen, und bleiben damit an der Spitze der Tabelle."
    )
    html = f"""<html><body><article class="post"><div class="entry-content">
<p>{para}</p><h3>Nach dem Spiel</h3><p>{para} Zwei.</p>
<h3>Weitere Themen</h3><p><a href="/a">Corona-Regeln für den Sport in Baden-Württemberg</a></p>
<p>{para} Drei.</p></div></article></body></html>"""
    record = extract_article(html, "https://sport.example/a/4", fetched_at=FETCHED)
    assert record.text == f"{para}\n\nNach dem Spiel\n\n{para} Zwei.\n\n{para} Drei."


def test_page_wrappers_and_anchor_ids_do_not_hide_the_story() -> None:
    para = (
        "Das Rote Kreuz unterstützt seine Partner seit Jahren bei der Vorsorge vor Dürren und "
        "Fluten, und es will diese Arbeit nach der Konferenz in weiteren Ländern ausbauen."
    )
    rest = "".join(f"<p>{para} {n}.</p>" for n in range(3, 12))
    html = f"""<html><body><div class="offcanvas-wrapper"><nav><a href="/">Start</a></nav>
<div class="page-body"><div class="media js-lightbox-gallery"><p>{para}</p>
<h3 id="nav_vorsorge_statt_hilfe">Vorsorge statt Nothilfe</h3><p>{para} Zwei.</p></div>
{rest}</div></div></body></html>"""
    record = extract_article(html, "https://hilfe.example/a/5", fetched_at=FETCHED)
    assert record.provenance["text"] == "generic"  # a page wrapper of 2000 characters is no menu
    assert record.text.startswith(f"{para}\n\nVorsorge statt Nothilfe\n\n{para} Zwei.\n\n")
    assert record.text.endswith(f"{para} 11.")


def test_teasers_whose_link_wraps_blocks_are_link_lines() -> None:
    para = (
        "Der Senat will über die Begnadigung erst nach der Wahl beraten, sagte sein Präsident am "
        "Mittwoch, und verwies auf die Gutachten, die noch ausstehen, auch aus den Ländern."
    )
    teaser = '<a href="/b/{n}"><h3>Ein anderes Thema aus der Politik, Folge {n}</h3></a>'
    teasers = "".join(teaser.format(n=n) for n in range(3))
    html = f"""<html><body><article class="post"><div class="entry-content">
<p>{para}</p><p>{para} Zwei.</p><p>Veja também:</p>{teasers}<p>{para} Drei.</p>
</div></article></body></html>"""
    record = extract_article(html, "https://politik.example/a/6", fetched_at=FETCHED)
    assert record.text == f"{para}\n\n{para} Zwei.\n\n{para} Drei."


def test_blocks_wrapped_in_a_link_are_teasers_not_the_story() -> None:
    # Teaser cards: <a href><div>…</div></a>. Their blocks hold no <a> themselves, yet all of
    # their text is a link to another page; more of it than a short story must not win.
    story = (
        "Gesine aus Tübingen sucht seit Wochen ein Zimmer in Freiburg, denn im Oktober beginnt "
        "ihr Studium, und bisher hat sie auf mehr als fünfzig Anfragen keine einzige Zusage. "
        "Das Studierendenwerk rät, auch Zimmer im Umland anzufragen."
    )
    card = (
        '<li><a href="/b/{n}"><div class="card">Ein anderer Bericht aus der Region, Folge {n}: '
        "Der Gemeinderat berät über neue Radwege, die Kosten und die Frage, wer sie trägt, "
        "bleiben aber auch nach der dritten Sitzung offen.</div></a></li>"
    )
    cards = "".join(card.format(n=n) for n in range(5))
    html = f"""<html><body><main><article><h1>Zimmer gesucht</h1><p>{story}</p></article>
<section><ul>{cards}</ul></section></main></body></html>"""
    record = extract_article(html, "https://zeitung.example/a/7", fetched_at=FETCHED)
    assert record.text == story


def test_a_paragraph_printed_twice_is_kept_once() -> None:
    # Slideshows and mobile copies print the intro again further down the same container.
    para = (
        "Die Bibliothek verlängert ab Januar ihre Öffnungszeiten am Abend, weil die Lesesäle in "
        "den Prüfungswochen regelmäßig voll sind, und stellt dafür zwei neue Kräfte ein."
    )
    short = "— Stadtbibliothek (@stadtbib) 3. Dezember 2026"
    html = f"""<html><body><article class="post"><div class="entry-content">
<p>{para}</p><p>{short}</p><p>{para} Zwei.</p><div class="slide"><p>{para}</p><p>{short}</p></div>
</div></article></body></html>"""
    record = extract_article(html, "https://stadt.example/news/9", fetched_at=FETCHED)
    assert record.text == f"{para}\n\n{short}\n\n{para} Zwei.\n\n{short}"


def test_a_story_does_not_end_on_a_heading() -> None:
    para = (
        "Der Radweg zwischen den beiden Dörfern wird im Frühjahr verbreitert, teilte das "
        "Landratsamt mit, und bekommt eine Beleuchtung, die nur bei Bewegung anspringt."
    )
    html = f"""<html><body><article class="post"><div class="entry-content">
<p>{para}</p><h3>Die Kosten</h3><p>{para} Zwei.</p><h3>Weitere Themen aus der Region</h3>
<div class="teasers"><a href="/x">Neue Buslinie</a></div></div></article></body></html>"""
    record = extract_article(html, "https://kreis.example/news/10", fetched_at=FETCHED)
    assert record.text == f"{para}\n\nDie Kosten\n\n{para} Zwei."


def test_ad_labels_and_affiliate_notices_are_dropped() -> None:
    para = (
        "Der neue Akkusauger hält im Test gut vierzig Minuten durch, und die Station leert den "
        "Behälter selbst, doch auf Teppich lässt die Saugkraft spürbar nach, schreibt die Redaktion."
    )
    notices = [
        "Anzeige",
        "*Werbung. Dieser Beitrag enthält Werbung für einen Hersteller.",
        "Die mit Sternchen gekennzeichneten Links sind Affiliate-Links.",
        "Für Links auf dieser Seite erhält der Verlag ggf. eine Provision vom Händler.",
        "If you click this link and make a purchase, we earn a commission at no extra cost.",
    ]
    body = "".join(f"<p>{n}</p><p>{para} {i}.</p>" for i, n in enumerate(notices))
    html = f"""<html><body><article class="post"><div class="entry-content">{body}
</div></article></body></html>"""
    record = extract_article(html, "https://test.example/sauger", fetched_at=FETCHED)
    assert record.text == "\n\n".join(f"{para} {i}." for i in range(len(notices)))


def test_sentences_about_advertising_are_kept() -> None:
    para = (
        "Werbung neuer Mitglieder steht beim Verein ganz oben, und die Kommission für Jugendarbeit "
        "hat dafür ein Papier geschrieben, das im Frühjahr an alle Schulen der Stadt geht."
    )
    html = f"""<html><body><article class="post"><div class="entry-content"><p>{para}</p>
<p>{para} Zwei.</p></div></article></body></html>"""
    record = extract_article(html, "https://verein.example/a/2", fetched_at=FETCHED)
    assert record.text == f"{para}\n\n{para} Zwei."


def test_a_short_lead_in_a_wide_script_is_a_story_not_a_teaser() -> None:
    # 130 Japanese characters are about 130 words: a paywalled story's whole open lead. Counted
    # as Latin letters it looked like a teaser and trafilatura's longer pick (sign-up notices and
    # all) replaced it.
    lead = (
        "県議会は十九日、老朽化した県立図書館を建て替える計画案を賛成多数で可決した。"
        "新館は駅前の旧庁舎跡地に建設され、二〇二九年春の開館を目指す。総事業費は約八十億円で、"
        "国の補助金と県債でまかなう。知事は記者会見で「学びと交流の拠点にしたい」と述べた。"
        "反対した会派は財政負担の大きさを問題視している。"
    )
    notices = "".join(
        f"<p>{text}</p>"
        for text in (
            "この記事は有料会員限定です。電子版に登録すると続きをお読みいただけます。",
            "会員登録がお済みの方はログインしてください。無料会員でも月に数本の記事が読めます。",
            "記事の保存や共有は有料会員のみご利用になれます。詳しくはヘルプをご覧ください。",
            "企業での記事共有や会議資料への転載・複製、注文印刷などはリンク先をご覧ください。",
        )
    )
    html = f"""<html><head><title>図書館建て替え計画を可決</title></head><body>{_MENU}
<article><h1>図書館建て替え計画を可決</h1><div class="article-body"><p>{lead}</p></div>
</article><div class="member-box">{notices}</div></body></html>"""
    record = extract_article(html, "https://shimbun.example/news/1", fetched_at=FETCHED)
    assert len(lead) < 200
    assert record.provenance["text"] == "generic"
    assert record.text == lead
