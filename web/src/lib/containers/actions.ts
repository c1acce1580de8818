// Which actions a container offers, from its state and the device's role. The role each action
// needs comes from the protocol's calls table, the one place roles are declared; the agent checks
// again on every call, this only hides what would be refused.
import { calls, roleAllows, type ContainerState, type Role } from '@pocketdock/protocol'

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'kill' | 'remove' | 'rename'

export interface ActionSpec {
  action: ContainerAction
  label: string
  /** Asks in a confirmation sheet first. */
  destructive: boolean
}

const SPECS: Record<ContainerAction, ActionSpec> = {
  start: { action: 'start', label: 'Start', destructive: false },
  stop: { action: 'stop', label: 'Stop', destructive: true },
  restart: { action: 'restart', label: 'Restart', destructive: false },
  pause: { action: 'pause', label: 'Pause', destructive: false },
  unpause: { action: 'unpause', label: 'Resume', destructive: false },
  kill: { action: 'kill', label: 'Kill', destructive: true },
  remove: { action: 'remove', label: 'Remove', destructive: true },
  rename: { action: 'rename', label: 'Rename', destructive: false }
}

const BY_STATE: Record<ContainerState, ContainerAction[]> = {
  running: ['stop', 'restart', 'pause', 'kill', 'rename', 'remove'],
  restarting: ['stop', 'kill', 'rename', 'remove'],
  paused: ['unpause', 'stop', 'kill', 'rename', 'remove'],
  created: ['start', 'rename', 'remove'],
  exited: ['start', 'restart', 'rename', 'remove'],
  dead: ['remove'],
  removing: [],
  unknown: ['start', 'stop', 'remove']
}

export function actionsFor(state: ContainerState, role: Role | null): ActionSpec[] {
  if (!role) return []
  return BY_STATE[state].filter((a) => roleAllows(role, calls[`containers.${a}`].role)).map((a) => SPECS[a])
}

/** The action a swipe or a header button offers first: the one people reach for most. */
export function primaryAction(state: ContainerState, role: Role | null): ActionSpec | null {
  const actions = actionsFor(state, role)
  return actions.find((a) => a.action === 'start' || a.action === 'unpause' || a.action === 'stop') ?? null
}

export const STOPPED_STATES: ReadonlySet<ContainerState> = new Set(['exited', 'created', 'dead'])
