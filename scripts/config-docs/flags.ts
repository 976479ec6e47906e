import type { Argument, Command, Option } from 'commander'

import { buildProgram } from '../../src/cli/program.js'
import { code, inline, table } from './markdown.js'

/** Every command of `hpm` with its arguments and flags, read from the commander program itself. */
export function flagSections(): string {
  const program = buildProgram({ setExit: () => undefined })
  return [...walk(program, [])].map(section).join('\n\n')
}

function* walk(command: Command, parents: readonly string[]): Generator<[string, Command]> {
  const path = [...parents, command.name()]
  yield [path.join(' '), command]
  for (const sub of command.commands) yield* walk(sub, path)
}

function section([path, command]: [string, Command]): string {
  const rows = [
    ...command.registeredArguments.map(argumentRow),
    ...command.options.filter((option) => !option.hidden).map(optionRow),
  ]
  const heading = `### ${code(path)}${path === 'hpm' ? ' (every command)' : ''}`
  const parts = [heading, inline(command.description())]
  if (rows.length > 0) parts.push(table(['flag', 'default', 'values', 'meaning'], rows))
  return parts.join('\n\n')
}

function argumentRow(argument: Argument): string[] {
  const name = `${argument.name()}${argument.variadic ? '...' : ''}`
  return [
    code(argument.required ? `<${name}>` : `[${name}]`),
    argument.required ? 'required' : defaultOf(argument),
    choicesOf(argument),
    argument.description,
  ]
}

function optionRow(option: Option): string[] {
  const env = option.envVar === undefined ? '' : ` (env ${code(option.envVar)})`
  return [
    code(option.flags),
    option.mandatory ? 'required' : defaultOf(option),
    choicesOf(option),
    option.description + env,
  ]
}

function defaultOf(item: Argument | Option): string {
  if (item.defaultValueDescription !== undefined) return code(item.defaultValueDescription)
  if (item.defaultValue === undefined) return ''
  return code(
    typeof item.defaultValue === 'string' ? item.defaultValue : JSON.stringify(item.defaultValue),
  )
}

const choicesOf = (item: Argument | Option): string => (item.argChoices ?? []).map(code).join(', ')
