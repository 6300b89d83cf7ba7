// esbuild turns the stylesheet import into assets/main.css.
declare module '*.css'
