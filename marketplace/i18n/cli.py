"""`flask translations …`: keep the catalogues in step with the source strings."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from . import catalogues

translations = AppGroup("translations", help="Extract, merge and compile the translations.")


@translations.command("update")
def update_command():
    """Extract every source string and merge it into each language's .po file."""
    template = catalogues.extract()
    click.echo(f"{len(template)} source strings")
    for report in catalogues.update(template):
        state = "updated" if report.written else "unchanged"
        click.echo(
            f"{report.locale:8} {state:9} untranslated {report.untranslated} (fuzzy {report.fuzzy})"
        )


@translations.command("compile")
def compile_command():
    """Compile every .po into the .mo file the app loads."""
    written = catalogues.compile_all()
    for path in written:
        click.echo(f"compiled {path.relative_to(catalogues.ROOT)}")
    if not written:
        click.echo("all .mo files are up to date")


@translations.command("missing")
@click.argument("locale", default="ja")
def missing_command(locale: str):
    """List the strings that LOCALE (default ja) does not translate yet."""
    template = catalogues.extract()
    missing = catalogues.untranslated(catalogues.read(locale), template)
    for message in missing:
        mark = "fuzzy " if message.fuzzy else ""
        click.echo(f"{mark}{message.id!r}")
    click.echo(f"{len(missing)} untranslated in {locale}")
