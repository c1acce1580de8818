// The templates this device knows: the built-in list, and template URLs the user added (kept on
// this device, fetched by the browser: the agent never fetches anything for templates).
import { BUILTIN_SOURCE, BUILTIN_TEMPLATES } from './builtin.ts'
import { matchesTemplate, parseTemplates, TemplateFormatError, type AppTemplate } from './portainer.ts'

const STORAGE_KEY = 'pocketdock.template-urls.v1'
/** A template file bigger than this is refused rather than parsed. */
const MAX_BYTES = 5 * 1024 * 1024

/** A reason, in words, that a template URL did not load. */
class SourceProblem extends Error {}

export interface TemplateSource {
  /** The URL, or BUILTIN_SOURCE. */
  url: string
  templates: AppTemplate[]
  loading: boolean
  problem: string | null
}

export class TemplateLibrary {
  sources = $state<TemplateSource[]>([{ url: BUILTIN_SOURCE, templates: parseTemplates(BUILTIN_TEMPLATES, BUILTIN_SOURCE), loading: false, problem: null }])
  query = $state('')
  readonly shown = $derived(this.sources.flatMap((s) => s.templates).filter((t) => matchesTemplate(t, this.query)))

  constructor() {
    for (const url of readUrls()) this.sources.push({ url, templates: [], loading: true, problem: null })
  }

  /** Fetches every added URL again. */
  async load(): Promise<void> {
    await Promise.all(this.sources.filter((s) => s.url !== BUILTIN_SOURCE).map((s) => this.fetchInto(s)))
  }

  /** Adds a template URL once it loads; resolves with why not otherwise (nothing is saved then). */
  async add(text: string): Promise<string | null> {
    const url = text.trim()
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return 'Enter the full address of a template file, starting with https://'
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'A template URL starts with https:// or http://'
    if (this.sources.some((s) => s.url === url)) return 'This template URL is already in the list.'
    const source: TemplateSource = { url, templates: [], loading: true, problem: null }
    await this.fetchInto(source)
    if (source.problem) return source.problem
    this.sources.push(source)
    this.save()
    return null
  }

  remove(url: string): void {
    this.sources = this.sources.filter((s) => s.url !== url || url === BUILTIN_SOURCE)
    this.save()
  }

  private async fetchInto(source: TemplateSource): Promise<void> {
    source.loading = true
    try {
      const res = await fetch(source.url, { credentials: 'omit', cache: 'no-cache' })
      if (!res.ok) throw new SourceProblem(`The server answered ${res.status} ${res.statusText}`.trim())
      const body = await res.text()
      if (body.length > MAX_BYTES) throw new SourceProblem('The template file is larger than 5 MB')
      source.templates = parseTemplates(JSON.parse(body), source.url)
      source.problem = null
    } catch (err) {
      source.problem =
        err instanceof TemplateFormatError || err instanceof SourceProblem
          ? err.message
          : err instanceof SyntaxError
            ? 'The file is not JSON.'
            : 'Could not fetch it: check the address, and that its server allows this app to read it (CORS).'
    } finally {
      source.loading = false
    }
  }

  private save(): void {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(this.sources.map((s) => s.url).filter((u) => u !== BUILTIN_SOURCE)))
    } catch {
      // Storage blocked: the URL lasts for this visit only.
    }
  }
}

function readUrls(): string[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]')
    return Array.isArray(saved) ? saved.filter((u): u is string => typeof u === 'string') : []
  } catch {
    return []
  }
}
