"""A forward is read without its header and its chain markers (issue 18: "strip the forwarding
header and chain markers before matching")."""

import pytest

from bot.faq.forwards import strip_forward


@pytest.mark.parametrize(("text", "read"), [
    ("Fwd dari grup RT: PENTING!!! TPS buka jam 8 dan tutup jam 3 sore. Sebarkan ke keluarga ya! "
     "Bener gak min?", "TPS buka jam 8 dan tutup jam 3 sore. Bener gak min?"),
    ("Pemilih pindahan harus urus A5. share ya guys", "Pemilih pindahan harus urus A5."),
    ("Please forward this to everyone. You can vote with a photo of your ID. Is it true?",
     "You can vote with a photo of your ID. Is it true?"),
    ("Kabar ini benar? Mohon dishare seluas-luasnya!!", "Kabar ini benar?"),
    ("Surat suara ada dua.\nJangan berhenti di kamu, teruskan ke 10 orang!\nSumber: grup sebelah",
     "Surat suara ada dua."),
    ("Pemilih disabilitas boleh didampingi. Semoga bermanfaat 🙏", "Pemilih disabilitas boleh didampingi."),
    ("TPS buka jam 8. Please forward this to all your friends and family!", "TPS buka jam 8."),
    ("TPS buka jam 8. share ke grup WA keluarga ya guys", "TPS buka jam 8."),
])
def test_chain_markers_are_not_read(text: str, read: str) -> None:
    assert strip_forward(text) == (read, True)


@pytest.mark.parametrize("text", [
    "Halo min. Tolong share info jadwal coblosan dong",      # asks for something to be shared
    "terus kalau ktp hilang gimana. viral di tiktok katanya boleh pakai kk",
    "Bagi pemilih disabilitas ada pendamping?",
    "Sebarkan!",                                             # nothing else to read: kept
    "Kapan pencoblosan? Salam, mau tanya",
    # passing on to "me", to an office, or with what is asked for: a request, not a chain's
    "Halo min. Share ke saya info jadwal pencoblosan.",
    "Selamat pagi. Tolong teruskan ke KPU keluhan saya soal DPT.",
    "Pagi kak!\nTolong share ke saya lokasi TPS 5 desa Gelumbang",
    "Halo. Forward to me the list of candidates please",
])
def test_a_question_is_kept_whole(text: str) -> None:
    assert strip_forward(text) == (text, False)


@pytest.mark.parametrize(("text", "read"), [
    ("URGENT!! Saya kehilangan KTP, bisa memilih?", "Saya kehilangan KTP, bisa memilih?"),
    ("Penting. Kapan hari pencoblosan?", "Kapan hari pencoblosan?"),
    ("Penting!\nMau tanya jam berapa TPS buka?", "Mau tanya jam berapa TPS buka?"),
])
def test_an_alarm_word_alone_is_not_read_but_is_no_forward(text: str, read: str) -> None:
    """A citizen's own urgent question is answered as a question, not checked as a claim."""
    assert strip_forward(text) == (read, False)
