package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for the order API of a running sample, so tests see exactly what a client sees: status,
 * headers and the raw body (malformed bodies and wrong content types included).
 */
public final class OrderApi {

	private static final JsonMapper json = JsonMapper.builder().build();

	// Longer than the lock's 5s wait plus Redis' command timeout, so a 503 arrives before the client gives up
	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

	private final HttpClient client;

	private final String baseUri;

	public OrderApi(int port) {
		// HTTP/1.1: the default HTTP/2 would add an h2c upgrade to every request
		this.client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		this.baseUri = "http://127.0.0.1:" + port;
	}

	/**
	 * {@code POST /order} with a well-formed body.
	 */
	public Response order(String itemName, int quantity) {
		return post("/order", "application/json",
				"{\"item_name\":" + json.writeValueAsString(itemName) + ",\"quantity\":" + quantity + "}");
	}

	/**
	 * {@code POST} of a raw body.
	 * @param contentType the Content-Type header, or {@code null} to send none
	 * @param body the body, or {@code null} to send none
	 */
	public Response post(String path, String contentType, String body) {
		return post(path, contentType, (body != null) ? BodyPublishers.ofString(body) : BodyPublishers.noBody(), null);
	}

	/**
	 * {@code POST} of a body from a publisher (one without a known length is sent in chunks), with an optional
	 * {@code Accept} header.
	 * @param accept the Accept header, or {@code null} to send none
	 */
	public Response post(String path, String contentType, BodyPublisher body, String accept) {
		HttpRequest.Builder request = request(path).POST(body);
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		if (accept != null) {
			request.header("Accept", accept);
		}
		return send(request.build());
	}

	public Response get(String path) {
		return send(request(path).GET().build());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.baseUri + path)).timeout(REQUEST_TIMEOUT);
	}

	private Response send(HttpRequest request) {
		try {
			java.net.http.HttpResponse<String> response = this.client.send(request, BodyHandlers.ofString());
			return new Response(response.statusCode(), response.headers(), response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted during " + request.method() + " " + request.uri(), ex);
		}
	}

	/**
	 * One response.
	 *
	 * @param status the HTTP status
	 * @param headers the response headers
	 * @param body the body as text, empty when there is none
	 */
	public record Response(int status, java.net.http.HttpHeaders headers, String body) {

		/**
		 * @return the body parsed as JSON
		 */
		public JsonNode json() {
			return OrderApi.json.readTree(this.body);
		}

		/**
		 * @return the Content-Type header without parameters, or empty
		 */
		public Optional<String> contentType() {
			return header("Content-Type").map((value) -> value.split(";")[0].trim());
		}

		public Optional<String> header(String name) {
			return this.headers.firstValue(name);
		}

		/**
		 * Asserts that this is an RFC 9457 problem with the given status and {@code code}.
		 * @return the problem, for further assertions
		 */
		public JsonNode assertProblem(int expectedStatus, String expectedCode) {
			assertThat(this.status).as("status of %s", this).isEqualTo(expectedStatus);
			assertThat(contentType()).as("content type of %s", this).contains("application/problem+json");
			JsonNode problem = json();
			assertThat(problem.path("status").asInt()).as("status in %s", this).isEqualTo(expectedStatus);
			assertThat(problem.path("code").asString()).as("code in %s", this).isEqualTo(expectedCode);
			return problem;
		}

		@Override
		public String toString() {
			return this.status + " " + this.body;
		}

	}

}
