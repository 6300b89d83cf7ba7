import { ComparePage } from './compare-page.tsx'
import { ExperimentPage } from './experiment-page.tsx'
import { ExperimentsPage } from './experiments-page.tsx'
import { Link } from './link.tsx'
import { NewExperimentPage } from './new-experiment-page.tsx'
import { Notice } from './notice.tsx'
import { route, paths } from './router.ts'
import { TokenPrompt } from './token-prompt.tsx'
import { TrialPage } from './trial-page.tsx'

export function App() {
  const current = route.value
  return (
    <>
      <a class="skip" href="#content">Skip to content</a>
      <header class="topbar">
        <Link href={paths.experiments()} class="brand">Tunewell</Link>
        <nav aria-label="Main">
          <Link href={paths.experiments()}>Experiments</Link>
          <Link href={paths.newExperiment()}>New</Link>
          <Link href={paths.compare([])}>Compare</Link>
          <a href="/docs">API</a>
        </nav>
      </header>
      <div id="content">
        {current.page === 'experiments' && <ExperimentsPage />}
        {current.page === 'new' && <NewExperimentPage />}
        {current.page === 'compare' && <ComparePage />}
        {current.page === 'experiment' && <ExperimentPage key={current.name} name={current.name} />}
        {current.page === 'trial' && <TrialPage key={current.trial} experiment={current.experiment} trial={current.trial} />}
        {current.page === 'not-found' && <main class="page"><Notice>Nothing at {current.path}. <Link href={paths.experiments()}>All experiments</Link></Notice></main>}
      </div>
      <TokenPrompt />
    </>
  )
}
