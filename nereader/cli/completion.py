"""`nereader completion bash|zsh|fish`: a completion script made from the parser itself."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field

from nereader.core.urls import SORTS

SHELLS = ("bash", "zsh", "fish")
_DIRS = {"--cache-dir", "--data-dir", "--markdown"}
# Values the parser checks itself (it takes aliases too), offered by their canonical names.
_WORDS = {"--sort": list(SORTS), "--order": ["asc", "desc"]}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("completion", help="print a shell completion script",
                       description="Print a completion script. bash: eval \"$(nereader "
                       "completion bash)\" in ~/.bashrc; zsh: the same in ~/.zshrc (after "
                       "compinit); fish: nereader completion fish > "
                       "~/.config/fish/completions/nereader.fish")
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(func=cmd_completion)


@dataclass
class Option:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)


@dataclass
class Command:
    name: str
    help: str
    options: list[Option]
    words: list[str]  # choices of its positional arguments
    files: bool  # a positional that is a file


def describe(parser: argparse.ArgumentParser) -> tuple[list[Option], list[Command]]:
    """The global options and every command, read off the argparse parser."""
    globals_ = _options(parser)
    commands: list[Command] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help or "" for a in action._choices_actions}
        for name, sub in action.choices.items():
            words = [str(c) for a in sub._actions if not a.option_strings and a.choices
                     for c in a.choices]
            files = any(not a.option_strings and (a.metavar or "").endswith("FILE")
                        for a in sub._actions)
            commands.append(Command(name, helps.get(name, ""), _options(sub), words, files))
    return globals_, commands


def _options(parser: argparse.ArgumentParser) -> list[Option]:
    out = []
    for a in parser._actions:
        if not a.option_strings or isinstance(a, argparse._HelpAction):
            continue
        choices = [str(c) for c in a.choices or []] or _WORDS.get(a.option_strings[0], [])
        out.append(Option(list(a.option_strings), (a.help or "").replace("%%", "%"),
                          a.nargs != 0, choices))
    return out


def cmd_completion(args: argparse.Namespace) -> int:
    globals_, commands = describe(args.root_parser)
    print({"bash": bash, "zsh": zsh, "fish": fish}[args.shell](globals_, commands), end="")
    return 0


def bash(globals_: list[Option], commands: list[Command]) -> str:
    valued = "|".join(f for o in globals_ if o.takes_value for f in o.flags)
    cases = []
    for c in commands:
        words = " ".join(c.words + [f for o in c.options for f in o.flags])
        files = ' COMPREPLY+=($(compgen -f -- "$cur"))' if c.files else ""
        cases.append(f'    {c.name}) COMPREPLY=($(compgen -W {shlex.quote(words)} -- "$cur"))'
                     f"{files} ;;")
    values = []
    for o in [*globals_, *(o for c in commands for o in c.options)]:
        if o.takes_value and o.flags[0] in _DIRS:
            values.append(f'    {"|".join(o.flags)}) COMPREPLY=($(compgen -d -- "$cur")); return;;')
        elif o.choices:
            values.append(f'    {"|".join(o.flags)}) COMPREPLY=($(compgen -W '
                          f'{shlex.quote(" ".join(o.choices))} -- "$cur")); return;;')
    top = " ".join([c.name for c in commands] + [f for o in globals_ for f in o.flags])
    return f"""# nereader completion for bash: eval "$(nereader completion bash)"
_nereader() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${{COMP_WORDS[i]}}" in
      {valued}) ((i++)) ;;
      -*) ;;
      *) cmd="${{COMP_WORDS[i]}}"; break ;;
    esac
  done
  case "$prev" in
{chr(10).join(dict.fromkeys(values))}
  esac
  case "$cmd" in
{chr(10).join(cases)}
    *) COMPREPLY=($(compgen -W {shlex.quote(top)} -- "$cur")) ;;
  esac
}}
complete -F _nereader nereader
"""


def _zsh_spec(o: Option) -> str:
    text = o.help.replace("'", "'\\''").replace("[", "(").replace("]", ")").replace(":", " -")
    value = ""
    if o.takes_value:
        action = "_directories" if o.flags[0] in _DIRS else (
            f"({' '.join(o.choices)})" if o.choices else "")
        value = f":{o.flags[0].lstrip('-')}:{action}"
    if len(o.flags) == 1:
        return f"'{o.flags[0]}[{text}]{value}'"
    return f"'({' '.join(o.flags)})'{{{','.join(o.flags)}}}'[{text}]{value}'"


def zsh(globals_: list[Option], commands: list[Command]) -> str:
    described = "\n".join(f"    {shlex.quote(c.name + ':' + c.help.replace(':', ' -'))}"
                          for c in commands)
    cases = []
    for c in commands:
        specs = [_zsh_spec(o) for o in c.options]
        if c.words:
            specs.append(f"'1:{c.name}:({' '.join(c.words)})'")
        if c.files:
            specs.append("'*:file:_files'")
        cases.append(f"      {c.name}) _arguments {' '.join(specs)} ;;")
    return f"""#compdef nereader
# nereader completion for zsh: eval "$(nereader completion zsh)" after compinit
_nereader() {{
  local context state state_descr line
  typeset -A opt_args
  local -a commands
  commands=(
{described}
  )
  _arguments -C {' '.join(_zsh_spec(o) for o in globals_)} '1: :->command' '*:: :->args'
  case $state in
    command) _describe -t commands 'nereader command or tag' commands ;;
    args)
      case $line[1] in
{chr(10).join(cases)}
      esac ;;
  esac
}}
compdef _nereader nereader
"""


def fish(globals_: list[Option], commands: list[Command]) -> str:
    names = " ".join(c.name for c in commands)
    lines = ["# nereader completion for fish: nereader completion fish > "
             "~/.config/fish/completions/nereader.fish", "complete -c nereader -f"]

    def option(o: Option, condition: str) -> str:
        parts = [f"complete -c nereader -n {shlex.quote(condition)}"]
        for f in o.flags:
            parts.append(f"-l {f[2:]}" if f.startswith("--") else f"-s {f[1:]}")
        if o.takes_value and o.flags[0] in _DIRS:
            parts.append("-x -a '(__fish_complete_directories)'")
        elif o.takes_value and o.choices:
            parts.append(f"-x -a {shlex.quote(' '.join(o.choices))}")
        elif o.takes_value:
            parts.append("-x")
        parts.append(f"-d {shlex.quote(o.help)}")
        return " ".join(parts)

    for o in globals_:
        lines.append(option(o, "true"))
    for c in commands:
        lines.append(f"complete -c nereader -n '__fish_use_subcommand' -a {c.name} "
                     f"-d {shlex.quote(c.help)}")
        seen = f"__fish_seen_subcommand_from {c.name}"
        if c.words:
            lines.append(f"complete -c nereader -n {shlex.quote(seen)} "
                         f"-a {shlex.quote(' '.join(c.words))}")
        if c.files:
            lines.append(f"complete -c nereader -n {shlex.quote(seen)} -F")
        lines += [option(o, seen) for o in c.options]
    lines.append(f"# commands: {names}")
    return "\n".join(lines) + "\n"
