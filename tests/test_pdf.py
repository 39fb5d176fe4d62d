"""PDFs are set in a real CJK font and their Chinese text can be read back."""

import copy
import shutil
import subprocess

import pytest

from core.pdf import pdf_response, render_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def test_chinese_text_survives_into_the_pdf(tmp_path, settings):
    template = tmp_path / "sample.html"
    template.write_text(
        '{% extends "pdf/base.html" %}{% block body %}<h1>中共某某大学委员会</h1>'
        "<p>{{ name }}同志系中共正式党员</p>{% endblock %}"
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], str(tmp_path)]
    settings.TEMPLATES = templates  # the setting_changed signal resets the engines
    data = render_pdf("sample.html", {"name": "张三"})
    assert data.startswith(b"%PDF-")
    (tmp_path / "out.pdf").write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "中共某某大学委员会" in text and "张三同志系中共正式党员" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "CJK" in fonts


def test_response_keeps_the_chinese_file_name():
    response = pdf_response(b"%PDF-1.4", "介绍信.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%E4%BB%8B%E7%BB%8D%E4%BF%A1.pdf" in response["Content-Disposition"]
