from gradbook.notebook_page import slim_notebook_page

BIG_CSS = ".jp-Cell{color:red}" * 200


def test_large_styles_become_one_shared_stylesheet_and_remote_scripts_go():
    html = (
        f"<head><style>{BIG_CSS}</style><style>.small{{}}</style></head>"
        '<script src=""> </script>'
        '<script type="text/x-mathjax-config">init_mathjax()</script>'
        '<script type="module">import("https://cdnjs.cloudflare.com/mermaid.mjs")</script>'
        "<script>var local = 1;</script>"
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    )
    slim, stylesheets = slim_notebook_page(html, "notebooks/demo/")
    (path, css), = stylesheets.items()
    assert css == BIG_CSS and path.startswith("assets/notebook/")
    assert f'<link rel="stylesheet" href="../../{path}">' in slim
    assert "<style>.small{}</style>" in slim and "var local = 1" in slim
    assert "cdnjs" not in slim and "mathjax" not in slim and 'src=""' not in slim
    assert 'xmlns="http://www.w3.org/2000/svg"' in slim
    again, second = slim_notebook_page(html, "notebooks/other/")
    assert list(second) == [path]  # same CSS, same file: downloaded once per site
