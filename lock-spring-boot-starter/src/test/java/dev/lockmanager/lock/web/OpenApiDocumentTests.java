package dev.lockmanager.lock.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Keeps {@code META-INF/lock-manager/openapi.yaml} in sync with the API: its paths and methods are exactly the
 * controller's handler mappings, it requires the {@code Lock-Token} header and a body exactly where the API does, and
 * every status code the API answers per operation (driven here, with Spring Security so that 403 happens too, and
 * with Redis paused for 503) is documented with its content type and headers — and nothing more.
 */
@SpringBootTest(classes = SecuredApplication.class,
		properties = { "distributed-lock.http.enabled=true", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.timeout=500ms" })
@AutoConfigureMockMvc
@DirtiesContext
class OpenApiDocumentTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final Map<String, Object> document = load();

	/** Response headers the API sets on purpose: each must be documented where it appears, and only there. */
	private static final Set<String> API_HEADERS = Set.of(HttpHeaders.LOCATION, HttpHeaders.RETRY_AFTER,
			HttpHeaders.WWW_AUTHENTICATE);

	private static final String[] TEMPLATES = { "/locks/{name}", "/locks/{name}/{key}" };

	@Autowired
	MockMvc mvc;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping handlerMapping;

	@DynamicPropertySource
	static void redisPort(DynamicPropertyRegistry registry) {
		int port = redis.server().port();
		registry.add("spring.data.redis.port", () -> port);
	}

	@Test
	void documentsExactlyTheControllersHandlerMappings() {
		Set<String> mapped = new TreeSet<>();
		this.handlerMapping.getHandlerMethods().forEach((info, method) -> {
			// unmapped() only answers 404/405 for what no operation matches: it is not an operation.
			if (method.getBeanType() == LockApiController.class && !method.getMethod().getName().equals("unmapped")) {
				for (String pattern : info.getPatternValues()) {
					for (RequestMethod requestMethod : info.getMethodsCondition().getMethods()) {
						mapped.add(requestMethod + " " + pattern);
					}
				}
			}
		});
		assertThat(documentedOperations().keySet()).isEqualTo(mapped);
	}

	@Test
	void requiresTheLockTokenHeaderAndABodyExactlyWhereTheApiDoes() throws Exception {
		Map<String, Set<String>> documented = new TreeMap<>();
		Map<String, Set<String>> required = new TreeMap<>();
		for (Map.Entry<String, Map<String, Object>> operation : documentedOperations().entrySet()) {
			Set<String> inputs = new TreeSet<>();
			for (Object parameter : list(operation.getValue().get("parameters"))) {
				Map<String, Object> resolved = resolve(parameter);
				if ("header".equals(resolved.get("in")) && Boolean.TRUE.equals(resolved.get("required"))) {
					inputs.add((String) resolved.get("name"));
				}
			}
			if (operation.getValue().containsKey("requestBody")
					&& Boolean.TRUE.equals(resolve(operation.getValue().get("requestBody")).get("required"))) {
				inputs.add("body");
			}
			documented.put(operation.getKey(), inputs);
			required.put(operation.getKey(), requiredInputs(operation.getKey()));
		}
		assertThat(documented).isEqualTo(required);
	}

	@Test
	void documentsEveryStatusContentTypeAndHeaderTheApiAnswersAndNoOther() throws Exception {
		Map<String, Map<Integer, MockHttpServletResponse>> answers = new TreeMap<>();
		for (String template : TEMPLATES) {
			for (Scenario scenario : scenarios(template, false)) {
				MockHttpServletResponse response = scenario.run(this.mvc);
				answers.computeIfAbsent(scenario.operation(), (key) -> new TreeMap<>())
					.put(response.getStatus(), response);
			}
		}
		// Paused rather than stopped: the requests time out as with an unreachable server, and the connection
		// survives, so the other tests need not wait for Lettuce to reconnect.
		redis.server().pause();
		try {
			for (String template : TEMPLATES) {
				for (Scenario scenario : scenarios(template, true)) {
					MockHttpServletResponse response = scenario.run(this.mvc);
					answers.computeIfAbsent(scenario.operation(), (key) -> new TreeMap<>())
						.put(response.getStatus(), response);
				}
			}
		}
		finally {
			redis.server().resume();
		}
		Map<String, Set<Integer>> answered = new TreeMap<>();
		answers.forEach((operation, responses) -> answered.put(operation, responses.keySet()));
		Map<String, Set<Integer>> documentedStatuses = new TreeMap<>();
		documentedOperations().forEach((operation, spec) -> documentedStatuses.put(operation,
				new TreeSet<>(map(spec.get("responses")).keySet().stream().map(Integer::valueOf).toList())));
		assertThat(answered).isEqualTo(documentedStatuses);
		answers.forEach((operation, responses) -> responses.forEach((status, response) -> {
			Map<String, Object> documentedResponse = resolve(
					map(documentedOperations().get(operation).get("responses")).get(Integer.toString(status)));
			String what = operation + " " + status;
			Set<String> documentedHeaders = lowerCase(map(documentedResponse.getOrDefault("headers", Map.of())).keySet());
			Set<String> answeredHeaders = lowerCase(response.getHeaderNames());
			assertThat(answeredHeaders).as("headers of " + what).containsAll(documentedHeaders);
			assertThat(documentedHeaders).as("documented headers of " + what)
				.containsAll(answeredHeaders.stream().filter(lowerCase(API_HEADERS)::contains).toList());
			Set<String> contentTypes = map(documentedResponse.getOrDefault("content", Map.of())).keySet();
			if (contentTypes.isEmpty()) {
				assertThat(response.getContentLength()).as("body of " + what).isZero();
			}
			else {
				assertThat(contentTypes).as("content types of " + what).hasSize(1);
				assertThat(MediaType.parseMediaType(response.getContentType()).isCompatibleWith(
						MediaType.parseMediaType(contentTypes.iterator().next())))
					.as("content type %s of %s", response.getContentType(), what)
					.isTrue();
			}
		}));
	}

	/**
	 * The inputs of an operation the API refuses to go without: its happy request minus each candidate input answers
	 * 400 naming it.
	 */
	private Set<String> requiredInputs(String operation) throws Exception {
		String[] methodAndTemplate = operation.split(" ", 2);
		Set<String> required = new TreeSet<>();
		for (String input : List.of("Lock-Token", "body")) {
			Scenario happy = happyPath(methodAndTemplate[0], methodAndTemplate[1], input);
			MockHttpServletResponse response = happy.run(this.mvc);
			if (response.getStatus() == 400 && input.equals(JsonPath.read(response.getContentAsString(), "$.field"))) {
				required.add(input);
			}
		}
		return required;
	}

	/**
	 * The request that succeeds, on a lock of its own (acquired first for PUT and DELETE), less one input.
	 */
	private Scenario happyPath(String method, String template, String without) throws Exception {
		String path = freshLock(template);
		MockHttpServletRequestBuilder request = switch (method) {
			case "POST" -> body(post(URI.create(path)), without);
			case "PUT" -> body(token(put(URI.create(path)), acquire(path), without), without);
			case "DELETE" -> token(delete(URI.create(path)), acquire(path), without);
			default -> get(URI.create(path));
		};
		return new Scenario(method + " " + template, request, SecuredApplication.CLIENT);
	}

	private List<Scenario> scenarios(String template, boolean redisStopped) throws Exception {
		String someToken = "0123456789abcdef0123456789abcdef";
		List<Scenario> scenarios = new ArrayList<>();
		if (redisStopped) {
			scenarios.add(scenario(template, "POST", body(post(URI.create(freshLock(template))), "")));
			scenarios.add(scenario(template, "PUT", body(token(put(URI.create(freshLock(template))), someToken, ""), "")));
			scenarios.add(scenario(template, "DELETE", token(delete(URI.create(freshLock(template))), someToken, "")));
			scenarios.add(scenario(template, "GET", get(URI.create(freshLock(template)))));
			return scenarios;
		}
		for (String method : List.of("POST", "PUT", "DELETE", "GET")) {
			scenarios.add(happyPath(method, template, ""));
			scenarios.add(new Scenario(method + " " + template, request(method, freshLock(template)),
					SecuredApplication.basic("client", "wrong-password")));
			scenarios.add(new Scenario(method + " " + template, request(method, freshLock(template)),
					SecuredApplication.VIEWER));
		}
		for (String method : List.of("POST", "PUT", "GET")) {
			scenarios.add(scenario(template, method, request(method, freshLock(template)).accept(MediaType.TEXT_HTML)));
		}
		scenarios.add(scenario(template, "POST", post(URI.create(freshLock(template)))
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"ten\"}")));
		scenarios.add(scenario(template, "PUT", body(put(URI.create(freshLock(template))), "")));
		scenarios.add(scenario(template, "DELETE", delete(URI.create(freshLock(template)))));
		scenarios.add(scenario(template, "GET", get(URI.create(freshLock(template).replace("openapi-", "x".repeat(201))))));
		String held = freshLock(template);
		acquire(held);
		scenarios.add(scenario(template, "POST", body(post(URI.create(held)), "")));
		scenarios.add(scenario(template, "PUT", body(token(put(URI.create(held)), someToken, ""), "")));
		scenarios.add(scenario(template, "DELETE", token(delete(URI.create(held)), someToken, "")));
		return scenarios;
	}

	private static Scenario scenario(String template, String method, MockHttpServletRequestBuilder request) {
		return new Scenario(method + " " + template, request, SecuredApplication.CLIENT);
	}

	private String acquire(String path) throws Exception {
		MockHttpServletResponse response = this.mvc
			.perform(post(URI.create(path)).header(HttpHeaders.AUTHORIZATION, SecuredApplication.CLIENT)
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"ttl\": \"30s\"}"))
			.andReturn()
			.getResponse();
		assertThat(response.getStatus()).isEqualTo(201);
		return JsonPath.read(response.getContentAsString(), "$.token");
	}

	private static MockHttpServletRequestBuilder body(MockHttpServletRequestBuilder request, String without) {
		return "body".equals(without) ? request
				: request.contentType(MediaType.APPLICATION_JSON).content("{\"ttl\": \"10s\"}");
	}

	private static MockHttpServletRequestBuilder token(MockHttpServletRequestBuilder request, String token,
			String without) {
		return "Lock-Token".equals(without) ? request : request.header("Lock-Token", token);
	}

	private static MockHttpServletRequestBuilder request(String method, String path) {
		return switch (method) {
			case "POST" -> body(post(URI.create(path)), "");
			case "PUT" -> body(put(URI.create(path)), "");
			case "DELETE" -> delete(URI.create(path));
			default -> get(URI.create(path));
		};
	}

	private static String freshLock(String template) {
		return template.replace("{name}", "openapi-" + UUID.randomUUID()).replace("{key}", "k");
	}

	/** Operations of the document as "METHOD /path". */
	private static Map<String, Map<String, Object>> documentedOperations() {
		Map<String, Map<String, Object>> operations = new TreeMap<>();
		map(document.get("paths")).forEach((path, item) -> map(item).forEach((method, operation) -> {
			if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
				operations.put(method.toUpperCase(Locale.ROOT) + " " + path, map(operation));
			}
		}));
		return operations;
	}

	/** Follows a local {@code $ref} ("#/components/responses/Granted"). */
	private static Map<String, Object> resolve(Object node) {
		Map<String, Object> map = map(node);
		Object ref = map.get("$ref");
		if (ref == null) {
			return map;
		}
		Object target = document;
		for (String segment : ((String) ref).substring(2).split("/")) {
			target = map(target).get(segment);
		}
		assertThat(target).as("target of " + ref).isNotNull();
		return resolve(target);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object node) {
		return (node != null) ? (Map<String, Object>) node : new LinkedHashMap<>();
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object node) {
		return (node != null) ? (List<Object>) node : List.of();
	}

	private static Set<String> lowerCase(java.util.Collection<String> names) {
		Set<String> lower = new TreeSet<>();
		names.forEach((name) -> lower.add(name.toLowerCase(Locale.ROOT)));
		return lower;
	}

	private static Map<String, Object> load() {
		try (InputStream yaml = new ClassPathResource("META-INF/lock-manager/openapi.yaml").getInputStream()) {
			return new Yaml().load(yaml);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * One request to one operation, with the given {@code Authorization}.
	 */
	private record Scenario(String operation, MockHttpServletRequestBuilder request, String authorization) {

		MockHttpServletResponse run(MockMvc mvc) throws Exception {
			return mvc.perform(this.request.header(HttpHeaders.AUTHORIZATION, this.authorization))
				.andReturn()
				.getResponse();
		}

	}

}
