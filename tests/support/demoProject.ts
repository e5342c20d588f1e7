import { Effect, Layer } from "effect"
import { StreamingFeed } from "../../assets/StreamingFeed.js"
import type { AssetGraph } from "../../runtime/graph/AssetGraph.js"
import { Project } from "../../runtime/project/Project.js"

/** The Project of a test on the Sakila assets, whose runs seed an empty landing zone from `feed`, as the demo does. */
export const demoProject = <E, R>(name: string, graph: AssetGraph, feed: Layer.Layer<StreamingFeed, E, R>) =>
  Layer.effect(Project, Effect.map(StreamingFeed, (f) => ({ name, graph, beforeRun: f.prepare }))).pipe(Layer.provideMerge(feed))
