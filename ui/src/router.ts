import { signal } from '@preact/signals'

export type Route =
  | { readonly page: 'experiments' }
  | { readonly page: 'new' }
  | { readonly page: 'compare' }
  | { readonly page: 'experiment'; readonly name: string }
  | { readonly page: 'trial'; readonly experiment: string; readonly trial: string }
  | { readonly page: 'not-found'; readonly path: string }

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts.length === 0) return { page: 'experiments' }
  if (parts.length === 1 && parts[0] === 'new') return { page: 'new' }
  if (parts.length === 1 && parts[0] === 'compare') return { page: 'compare' }
  if (parts[0] === 'experiments' && parts.length === 2) return { page: 'experiment', name: parts[1]! }
  if (parts[0] === 'experiments' && parts.length === 4 && parts[2] === 'trials') return { page: 'trial', experiment: parts[1]!, trial: parts[3]! }
  return { page: 'not-found', path: pathname }
}

export const route = signal<Route>(parseRoute(location.pathname))

export const paths = {
  experiments: () => '/',
  newExperiment: () => '/new',
  compare: (experiments: readonly string[]) => (experiments.length > 0 ? `/compare?experiments=${experiments.map(encodeURIComponent).join(',')}` : '/compare'),
  experiment: (name: string) => `/experiments/${encodeURIComponent(name)}`,
  trial: (experiment: string, trial: string) => `/experiments/${encodeURIComponent(experiment)}/trials/${encodeURIComponent(trial)}`,
}

/** The experiments of `/compare?experiments=a,b` (names cannot hold commas: they are Kubernetes names). */
export function compareSelection(search: string): string[] {
  const value = new URLSearchParams(search).get('experiments') ?? ''
  return [...new Set(value.split(',').map((n) => n.trim()).filter(Boolean))]
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  route.value = parseRoute(location.pathname)
  window.scrollTo(0, 0)
}

addEventListener('popstate', () => {
  route.value = parseRoute(location.pathname)
})
