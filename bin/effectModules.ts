// The modules of the `effect` package (its index re-exports each by name); tests/package.test.ts checks the list
// against the installed version.
export const effectModules: ReadonlyArray<string> = [
  "Arbitrary", "Array", "BigDecimal", "BigInt", "Boolean", "Brand", "Cache", "Cause", "Channel",
  "ChildExecutorDecision", "Chunk", "Clock", "Config", "ConfigError", "ConfigProvider", "ConfigProviderPathPatch",
  "Console", "Context", "Cron", "Data", "DateTime", "DefaultServices", "Deferred", "Differ", "Duration", "Effect",
  "Effectable", "Either", "Encoding", "Equal", "Equivalence", "ExecutionPlan", "ExecutionStrategy", "Exit",
  "FastCheck", "Fiber", "FiberHandle", "FiberId", "FiberMap", "FiberRef", "FiberRefs", "FiberRefsPatch", "FiberSet",
  "FiberStatus", "Function", "GlobalValue", "Graph", "GroupBy", "HKT", "Hash", "HashMap", "HashRing", "HashSet",
  "Inspectable", "Iterable", "JSONSchema", "KeyedPool", "Layer", "LayerMap", "List", "LogLevel", "LogSpan", "Logger",
  "Mailbox", "ManagedRuntime", "Match", "MergeDecision", "MergeState", "MergeStrategy", "Metric", "MetricBoundaries",
  "MetricHook", "MetricKey", "MetricKeyType", "MetricLabel", "MetricPair", "MetricPolling", "MetricRegistry",
  "MetricState", "Micro", "ModuleVersion", "MutableHashMap", "MutableHashSet", "MutableList", "MutableQueue",
  "MutableRef", "NonEmptyIterable", "Number", "Option", "Order", "Ordering", "ParseResult", "PartitionedSemaphore",
  "Pipeable", "Pool", "Predicate", "Pretty", "PrimaryKey", "PubSub", "Queue", "Random", "RateLimiter", "RcMap",
  "RcRef", "Readable", "Record", "RedBlackTree", "Redacted", "Ref", "RegExp", "Reloadable", "Request",
  "RequestBlock", "RequestResolver", "Resource", "Runtime", "RuntimeFlags", "RuntimeFlagsPatch", "STM", "Schedule",
  "ScheduleDecision", "ScheduleInterval", "ScheduleIntervals", "Scheduler", "Schema", "SchemaAST", "Scope",
  "ScopedCache", "ScopedRef", "Secret", "SingleProducerAsyncInput", "Sink", "SortedMap", "SortedSet", "Stream",
  "StreamEmit", "StreamHaltStrategy", "Streamable", "String", "Struct", "Subscribable", "SubscriptionRef",
  "Supervisor", "Symbol", "SynchronizedRef", "TArray", "TDeferred", "TMap", "TPriorityQueue", "TPubSub", "TQueue",
  "TRandom", "TReentrantLock", "TRef", "TSemaphore", "TSet", "TSubscriptionRef", "Take", "TestAnnotation",
  "TestAnnotationMap", "TestAnnotations", "TestClock", "TestConfig", "TestContext", "TestLive", "TestServices",
  "TestSized", "Tracer", "Trie", "Tuple", "Types", "Unify", "UpstreamPullRequest", "UpstreamPullStrategy", "Utils"
]
