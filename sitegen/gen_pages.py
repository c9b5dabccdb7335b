"""mkdocs-gen-files script: adds the derived pages and feeds to the build (never to docs/).

mkdocs.yml runs it through the gen-files plugin, which serves the files from a
temporary folder. Outside MkDocs, `python -m sitegen derive --out DIR` writes the
same files to a folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The site's code lives next to the generator in this repository, which is not an
# installed package: make it importable however MkDocs was started.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import mkdocs_gen_files

from sitegen.derive import derive
from sitegen.settings import load_site_config, site_info

mkdocs_config = mkdocs_gen_files.config
site = site_info(load_site_config(Path(mkdocs_config.config_file_path).parent), directory_urls=mkdocs_config.use_directory_urls)

for relpath, content in derive(Path(mkdocs_config.docs_dir), site).items():
    mode = "wb" if isinstance(content, bytes) else "w"
    with mkdocs_gen_files.open(str(relpath), mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as handle:
        handle.write(content)
