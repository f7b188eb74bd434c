package dev.lockmanager.sample.orders.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks the container setup without a Docker engine: {@code docker-compose.yml} as written and as normalized by
 * {@code docker-compose config} (skipped where that command is missing), the order service's {@code Dockerfile}, and
 * the nginx load balancer's configuration (checked by {@code nginx -t} where nginx is installed). What only a Docker
 * engine can show (the image builds, the containers start and turn healthy) is not covered here.
 */
class DockerComposeFileTests {

	private static final long COMMAND_TIMEOUT_SECONDS = 60;

	private static final Set<String> ORDER_INSTANCES = Set.of("orders-1", "orders-2", "orders-3");

	private static final String SCHEMA_INIT_SCRIPT = "/docker-entrypoint-initdb.d/schema.sql";

	/** docker-compose's normalized model, computed once for all the tests that read it. */
	private static Map<String, Object> normalized;

	@TempDir
	Path tempDir;

	static Stream<Named<Supplier<Map<String, Object>>>> composeModels() {
		return Stream.of(Named.of("as written", DockerComposeFileTests::asWritten),
				Named.of("as normalized by docker-compose config", DockerComposeFileTests::asNormalized));
	}

	@Test
	void dockerComposeConfigAcceptsTheFile() {
		assertThat(asNormalized()).containsKey("services");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void declaresRedisPostgresThreeOrderInstancesAndNginx(Supplier<Map<String, Object>> model) {
		assertThat(services(model.get()).keySet()).containsExactlyInAnyOrder("redis", "postgres", "orders-1",
				"orders-2", "orders-3", "nginx");
		assertThat(service(model.get(), "redis").get("image")).isEqualTo("redis:7");
		assertThat(service(model.get(), "postgres").get("image")).isEqualTo("postgres:16");
		assertThat(String.valueOf(service(model.get(), "nginx").get("image"))).startsWith("nginx:");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void onlyNginxPublishesAPortAndItIs9090(Supplier<Map<String, Object>> model) {
		Map<String, Map<String, Object>> services = services(model.get());

		assertThat(publishedPorts(services.get("nginx"))).containsExactly("9090->9090");
		services.forEach((name, service) -> {
			if (!name.equals("nginx")) {
				assertThat(publishedPorts(service)).as(name).isEmpty();
			}
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void redisPostgresAndNginxHaveHealthchecks(Supplier<Map<String, Object>> model) {
		assertThat(healthcheckCommand(service(model.get(), "redis"))).containsSubsequence("redis-cli", "ping");
		assertThat(healthcheckCommand(service(model.get(), "postgres"))).contains("pg_isready");
		assertThat(healthcheckCommand(service(model.get(), "nginx"))).anyMatch((part) -> part.contains("/lb-health"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void instancesStartAfterHealthyRedisAndPostgresAndNginxAfterHealthyInstances(
			Supplier<Map<String, Object>> model) {
		for (String instance : ORDER_INSTANCES) {
			assertThat(dependencyConditions(service(model.get(), instance))).as(instance)
				.containsExactlyInAnyOrderEntriesOf(
						Map.of("redis", "service_healthy", "postgres", "service_healthy"));
		}
		assertThat(dependencyConditions(service(model.get(), "nginx"))).containsExactlyInAnyOrderEntriesOf(
				Map.of("orders-1", "service_healthy", "orders-2", "service_healthy", "orders-3", "service_healthy"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void everyInstanceUsesTheSharedPostgresAndRedisAndNeverTheEmbeddedRedis(Supplier<Map<String, Object>> model) {
		for (String instance : ORDER_INSTANCES) {
			assertThat(environment(service(model.get(), instance))).as(instance)
				.containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/orders")
				.containsEntry("SPRING_DATASOURCE_USERNAME", "orders")
				.containsEntry("SPRING_DATASOURCE_PASSWORD", "orders")
				.containsEntry("SPRING_DATA_REDIS_HOST", "redis")
				.containsEntry("ORDERS_EMBEDDED_REDIS", "false");
		}
		assertThat(environment(service(model.get(), "postgres"))).containsEntry("POSTGRES_DB", "orders")
			.containsEntry("POSTGRES_USER", "orders")
			.containsEntry("POSTGRES_PASSWORD", "orders");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void everyInstanceServesTheLockApiWithTheSameApiKey(Supplier<Map<String, Object>> model) {
		Set<String> keys = ORDER_INSTANCES.stream()
			.map((instance) -> environment(service(model.get(), instance)).get("LOCK_API_KEY"))
			.collect(Collectors.toSet());
		// One key for all, long enough for distributed-lock.http.api-key (16 characters at least)
		assertThat(keys).hasSize(1).doesNotContainNull();
		assertThat(keys.iterator().next()).hasSizeGreaterThanOrEqualTo(16).doesNotContainAnyWhitespaces();
	}

	@Test
	void lockApiKeyIsTakenFromTheEnvironmentWithADemonstrationFallback() throws IOException {
		assertThat(Files.readString(repositoryRoot().resolve("docker-compose.yml")))
			.contains("LOCK_API_KEY: ${LOCK_API_KEY:-");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void oneInstanceBuildsFromTheSampleDockerfileTheImageThatEveryInstanceRuns(Supplier<Map<String, Object>> model)
			throws IOException {
		Map<String, Object> builder = service(model.get(), "orders-1");
		Map<String, Object> build = map(builder.get("build"), "orders-1.build");
		Path context = repositoryRoot().resolve(String.valueOf(build.get("context"))).normalize();

		assertThat(context.toRealPath()).isEqualTo(repositoryRoot().toRealPath());
		assertThat(build.get("dockerfile")).isEqualTo("lock-sample-orders/Dockerfile");
		for (String instance : ORDER_INSTANCES) {
			assertThat(service(model.get(), instance).get("image")).as(instance).isEqualTo(builder.get("image"));
		}
		// Several services building one tag collide when Compose builds them in parallel; the others must not look
		// for this local image in a registry either.
		for (String instance : List.of("orders-2", "orders-3")) {
			assertThat(service(model.get(), instance)).as(instance)
				.doesNotContainKey("build")
				.containsEntry("pull_policy", "never");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void postgresRunsTheSampleSchemaMountedReadOnlyAsItsInitScript(Supplier<Map<String, Object>> model) {
		Mount schema = mount(service(model.get(), "postgres"), SCHEMA_INIT_SCRIPT);

		assertThat(schema.source()).isRegularFile()
			.isEqualTo(repositoryRoot().resolve("lock-sample-orders/src/main/resources/schema.sql"));
		assertThat(schema.readOnly()).isTrue();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("composeModels")
	void nginxRunsTheRepositoryConfigMountedReadOnly(Supplier<Map<String, Object>> model) {
		Mount config = mount(service(model.get(), "nginx"), "/etc/nginx/nginx.conf");

		assertThat(config.source()).isRegularFile().isEqualTo(nginxConf());
		assertThat(config.readOnly()).isTrue();
	}

	@Test
	void everyOrderInstanceIsAnUpstreamServerOfNginxAndNothingElseIs() throws IOException {
		Set<String> upstreams = new TreeSet<>();
		Matcher matcher = Pattern.compile("(?m)^\\s*server\\s+([\\w.-]+):9090\\b").matcher(nginxConfig());
		while (matcher.find()) {
			upstreams.add(matcher.group(1));
		}
		Set<String> instances = services(asWritten()).keySet()
			.stream()
			.filter((name) -> name.matches("orders-\\d+"))
			.collect(Collectors.toCollection(TreeSet::new));

		assertThat(upstreams).isEqualTo(instances).containsAll(ORDER_INSTANCES);
		assertThat(nginxConfig()).containsPattern("(?m)^\\s*listen\\s+9090;");
	}

	@Test
	void nginxNeverResendsARequestThatReachedAnInstanceNorHidesItsErrorBodies() throws IOException {
		String nextUpstream = directive(nginxConfig(), "proxy_next_upstream");

		// non_idempotent would resend a POST that may have placed an order; http_503 would resend (and hide) the
		// service's LOCK_TIMEOUT answer and its Retry-After.
		assertThat(nextUpstream).contains("error").doesNotContain("non_idempotent").doesNotContain("http_");
		assertThat(directive(nginxConfig(), "proxy_intercept_errors")).isEqualTo("off");
		assertThat(nginxConfig()).doesNotContain("proxy_hide_header");
	}

	@Test
	void nginxWaitsForAnAnswerWellBeyondTheFiveSecondLockWait() throws IOException {
		assertThat(seconds(directive(nginxConfig(), "proxy_read_timeout"))).isGreaterThanOrEqualTo(15);
		assertThat(seconds(directive(nginxConfig(), "proxy_send_timeout"))).isGreaterThanOrEqualTo(15);
	}

	@Test
	void nginxAcceptsTheLoadBalancerConfig() throws Exception {
		assumeThat(onPath("nginx")).as("nginx on the PATH").isTrue();
		// The instances' names resolve only inside the compose network, and Debian's nginx predates `resolve`
		// (1.27.3): check a copy with loopback addresses and without that parameter.
		String local = nginxConfig().replaceAll("server\\s+orders-\\d+:9090\\s+resolve\\b", "server 127.0.0.1:9090");
		assertThat(local).doesNotContainPattern("server\\s+orders-");
		Path config = this.tempDir.resolve("nginx.conf");
		Files.writeString(config, local, StandardCharsets.UTF_8);

		Result result = run("nginx", "-t", "-c", config.toString(), "-p", this.tempDir.toString());

		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.output()).contains("test is successful");
	}

	@Test
	void dockerfileBuildsInOneStageAndRunsInAnother() throws IOException {
		List<String> stages = instructions("FROM");

		assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
		assertThat(stages.get(0)).contains("jdk").contains(" AS ");
		assertThat(stages.get(stages.size() - 1)).contains("jre");
		assertThat(instructions("RUN")).anyMatch((run) -> run.contains("./mvnw")
				&& run.contains("-pl lock-sample-orders -am package"));
		assertThat(instructions("COPY")).anyMatch((copy) -> copy.startsWith("--from="));
	}

	@Test
	void dockerfileRunsTheServiceAsANonRootUser() throws IOException {
		List<String> users = instructionsOfTheLastStage("USER");

		assertThat(users).isNotEmpty();
		assertThat(users.get(users.size() - 1)).doesNotMatch("(root|0)(:.*)?");
	}

	@Test
	void dockerfileChecksHealthOnTheReadinessProbeOfPort9090() throws IOException {
		assertThat(instructionsOfTheLastStage("HEALTHCHECK")).singleElement()
			.asString()
			.contains("CMD")
			.contains("127.0.0.1:9090/actuator/health/readiness");
		assertThat(instructionsOfTheLastStage("EXPOSE")).containsExactly("9090");
	}

	@Test
	void dockerfileCopiesEveryModuleThatTheParentPomLists() throws IOException {
		// Maven loads every listed module, even those the build leaves out: a missing pom fails the image build.
		Matcher matcher = Pattern.compile("<module>([^<]+)</module>")
			.matcher(Files.readString(repositoryRoot().resolve("pom.xml")));
		List<String> copies = instructions("COPY");
		List<String> modules = new ArrayList<>();
		while (matcher.find()) {
			modules.add(matcher.group(1).trim());
		}

		assertThat(modules).isNotEmpty().allSatisfy((module) -> assertThat(copies).as(module)
			.anyMatch((copy) -> copy.startsWith(module + " ") || copy.startsWith(module + "/pom.xml ")));
	}

	@Test
	void dockerignoreKeepsBuildOutputAndHistoryOutOfTheBuildContext() throws IOException {
		List<String> patterns = Files.readAllLines(repositoryRoot().resolve(".dockerignore"))
			.stream()
			.map(String::trim)
			.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
			.toList();

		assertThat(patterns).contains(".git", "**/target/", "**/responses.log", ".idea/", "**/*.iml")
			.doesNotContain("mvnw", ".mvn", ".mvn/");
	}

	// ---- docker-compose.yml ----

	private static Map<String, Object> asWritten() {
		try {
			return parseYaml(Files.readString(repositoryRoot().resolve("docker-compose.yml")), "docker-compose.yml");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** What {@code docker-compose config} prints, parsed; the calling test is skipped without docker-compose. */
	private static synchronized Map<String, Object> asNormalized() {
		assumeThat(onPath("docker-compose")).as("docker-compose on the PATH").isTrue();
		if (normalized == null) {
			Path compose = repositoryRoot().resolve("docker-compose.yml");
			Result result = runUnchecked("docker-compose", "-f", compose.toString(), "config");
			assertThat(result.exitCode()).as("docker-compose config:%n%s", result.output()).isZero();
			normalized = parseYaml(result.stdout(), "docker-compose config");
		}
		return normalized;
	}

	private static Map<String, Object> parseYaml(String yaml, String what) {
		Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
		return map(document, what);
	}

	private static Map<String, Map<String, Object>> services(Map<String, Object> model) {
		Map<String, Map<String, Object>> services = new LinkedHashMap<>();
		map(model.get("services"), "services").forEach((name, service) -> services.put(name, map(service, name)));
		return services;
	}

	private static Map<String, Object> service(Map<String, Object> model, String name) {
		Map<String, Object> service = services(model).get(name);
		assertThat(service).as("service %s", name).isNotNull();
		return service;
	}

	/** "published->target" for each published port, from the short ("9090:9090") or the long syntax. */
	private static List<String> publishedPorts(Map<String, Object> service) {
		List<String> ports = new ArrayList<>();
		for (Object port : list(service.get("ports"))) {
			if (port instanceof Map<?, ?> longSyntax) {
				ports.add(longSyntax.get("published") + "->" + longSyntax.get("target"));
			}
			else {
				String[] parts = String.valueOf(port).split(":");
				ports.add(parts.length == 1 ? parts[0] + "->" + parts[0]
						: parts[parts.length - 2] + "->" + parts[parts.length - 1]);
			}
		}
		return ports;
	}

	private static List<String> healthcheckCommand(Map<String, Object> service) {
		Map<String, Object> healthcheck = map(service.get("healthcheck"), "healthcheck");
		assertThat(healthcheck.get("disable")).isNotEqualTo(Boolean.TRUE);
		Object test = healthcheck.get("test");
		List<String> command = (test instanceof List<?> parts) ? parts.stream().map(String::valueOf).toList()
				: List.of(String.valueOf(test).split("\\s+"));
		assertThat(command).isNotEmpty();
		return command;
	}

	/** Each dependency and its condition (the short list syntax has none, so it fails here). */
	private static Map<String, String> dependencyConditions(Map<String, Object> service) {
		Map<String, String> conditions = new LinkedHashMap<>();
		map(service.get("depends_on"), "depends_on").forEach(
				(name, options) -> conditions.put(name, String.valueOf(map(options, name).get("condition"))));
		return conditions;
	}

	private static Map<String, String> environment(Map<String, Object> service) {
		Map<String, String> environment = new LinkedHashMap<>();
		Object declared = service.get("environment");
		if (declared instanceof Map<?, ?> variables) {
			variables.forEach((name, value) -> environment.put(String.valueOf(name), String.valueOf(value)));
		}
		else {
			for (Object variable : list(declared)) {
				String[] nameAndValue = String.valueOf(variable).split("=", 2);
				environment.put(nameAndValue[0], (nameAndValue.length == 2) ? nameAndValue[1] : "");
			}
		}
		return environment;
	}

	/** The bind mount onto the target, from the short ("src:target:ro") or the long syntax. */
	private static Mount mount(Map<String, Object> service, String target) {
		for (Object volume : list(service.get("volumes"))) {
			if (volume instanceof Map<?, ?> longSyntax) {
				if (target.equals(longSyntax.get("target"))) {
					return new Mount(repositoryRoot().resolve(String.valueOf(longSyntax.get("source"))).normalize(),
							Boolean.TRUE.equals(longSyntax.get("read_only")));
				}
			}
			else {
				String spec = String.valueOf(volume);
				int at = spec.indexOf(":" + target);
				if (at > 0) {
					String options = spec.substring(at + 1 + target.length());
					return new Mount(repositoryRoot().resolve(spec.substring(0, at)).normalize(),
							Arrays.asList(options.split("[:,]")).contains("ro"));
				}
			}
		}
		throw new AssertionError("No volume mounted on " + target + " in " + service.get("volumes"));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value, String what) {
		assertThat(value).as(what).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	private static List<?> list(Object value) {
		return (value instanceof List<?> list) ? list : List.of();
	}

	// ---- nginx.conf ----

	private static Path nginxConf() {
		return repositoryRoot().resolve("deploy/nginx/nginx.conf");
	}

	private static String nginxConfig() throws IOException {
		return Files.readString(nginxConf());
	}

	/** The arguments of the one occurrence of a directive, comments ignored. */
	private static String directive(String config, String name) {
		String uncommented = config.replaceAll("(?m)#.*$", "");
		Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + "\\s+([^;]*);").matcher(uncommented);
		assertThat(matcher.find()).as("directive %s", name).isTrue();
		String arguments = matcher.group(1).trim();
		assertThat(matcher.find()).as("a single %s directive", name).isFalse();
		return arguments;
	}

	private static long seconds(String duration) {
		Matcher matcher = Pattern.compile("(\\d+)(ms|s|m)?").matcher(duration);
		assertThat(matcher.matches()).as(duration).isTrue();
		long amount = Long.parseLong(matcher.group(1));
		return switch (Objects.requireNonNullElse(matcher.group(2), "s")) {
			case "ms" -> amount / 1000;
			case "m" -> amount * 60;
			default -> amount;
		};
	}

	// ---- Dockerfile ----

	/** The arguments of each instruction of that name, continuation lines joined, in file order. */
	private static List<String> instructions(String name) throws IOException {
		return instructionsFrom(dockerfileInstructions(), name);
	}

	private static List<String> instructionsOfTheLastStage(String name) throws IOException {
		List<String> all = dockerfileInstructions();
		int lastFrom = 0;
		for (int i = 0; i < all.size(); i++) {
			if (all.get(i).regionMatches(true, 0, "FROM ", 0, 5)) {
				lastFrom = i;
			}
		}
		return instructionsFrom(all.subList(lastFrom, all.size()), name);
	}

	private static List<String> instructionsFrom(List<String> instructions, String name) {
		return instructions.stream()
			.filter((instruction) -> instruction.regionMatches(true, 0, name + " ", 0, name.length() + 1))
			.map((instruction) -> instruction.substring(name.length() + 1).trim())
			.toList();
	}

	private static List<String> dockerfileInstructions() throws IOException {
		List<String> instructions = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		for (String line : Files.readAllLines(repositoryRoot().resolve("lock-sample-orders/Dockerfile"))) {
			String trimmed = line.trim();
			if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
				continue;
			}
			boolean continues = trimmed.endsWith("\\");
			current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
			if (!continues) {
				instructions.add(current.toString().replaceAll("\\s+", " ").trim());
				current.setLength(0);
			}
		}
		return instructions;
	}

	// ---- running commands ----

	/** The repository root, found from the working directory upwards (the module's, when Surefire runs). */
	private static Path repositoryRoot() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
				return dir;
			}
		}
		throw new IllegalStateException("docker-compose.yml not found above " + Path.of("").toAbsolutePath());
	}

	private static boolean onPath(String executable) {
		String path = System.getenv("PATH");
		return path != null && Arrays.stream(path.split(File.pathSeparator))
			.anyMatch((dir) -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, executable)));
	}

	private static Result runUnchecked(String... command) {
		try {
			return run(command);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Runs a command in the repository root, stdout and stderr into separate files (no pipe to fill up). */
	private static Result run(String... command) throws IOException, InterruptedException {
		Path stdout = Files.createTempFile("docker-compose-file-tests", ".out");
		Path stderr = Files.createTempFile("docker-compose-file-tests", ".err");
		try {
			ProcessBuilder builder = new ProcessBuilder(command).directory(repositoryRoot().toFile())
				.redirectOutput(stdout.toFile())
				.redirectError(stderr.toFile());
			// COMPOSE_FILE, COMPOSE_PROFILES and the like would change what docker-compose reads.
			builder.environment().keySet().removeIf((name) -> name.startsWith("COMPOSE_"));
			Process process = builder.start();
			if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor();
				throw new AssertionError(String.join(" ", command) + " did not finish within "
						+ COMMAND_TIMEOUT_SECONDS + "s:\n" + Files.readString(stderr));
			}
			return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
		}
		finally {
			Files.deleteIfExists(stdout);
			Files.deleteIfExists(stderr);
		}
	}

	/**
	 * How a command exited and what it printed.
	 */
	private record Result(int exitCode, String stdout, String stderr) {

		String output() {
			return this.stdout + this.stderr;
		}

	}

	/**
	 * A bind mount: the host file (resolved against the repository root) and whether it is read-only.
	 */
	private record Mount(Path source, boolean readOnly) {

	}

}
