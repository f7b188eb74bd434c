package dev.lockmanager.sample.orders.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client of the sample's API, as an outside caller sees it (no Spring on the client side).
 */
final class OrderServiceClient {

	private static final JsonMapper json = JsonMapper.builder().build();

	/** Longer than the service's 5 s lock wait, so a slow order is answered by the service, not cut off here. */
	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	/**
	 * Places one order; a failure to get any answer is recorded as status 0 rather than thrown, so one broken
	 * connection shows up among the results instead of hiding them.
	 */
	Placed place(int instance, URI base, String itemName, int quantity) throws InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(base.resolve("/order"))
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers
				.ofString("{\"item_name\":\"" + itemName + "\",\"quantity\":" + quantity + "}"))
			.build();
		try {
			HttpResponse<String> response = this.http.send(request, BodyHandlers.ofString());
			return new Placed(instance, quantity, response.statusCode(),
					response.headers().firstValue("Retry-After").orElse(null), parse(response.body()),
					response.body());
		}
		catch (IOException ex) {
			return new Placed(instance, quantity, 0, null, json.createObjectNode(), ex.toString());
		}
	}

	/**
	 * @return the JSON body of a {@code GET} that must answer 200
	 */
	JsonNode get(URI uri) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http
			.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build(), BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": "
					+ response.body());
		}
		return json.readTree(response.body());
	}

	/**
	 * @return whether {@code GET uri} answers 200 now
	 */
	boolean answers(URI uri) throws InterruptedException {
		try {
			return this.http
				.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
						BodyHandlers.discarding())
				.statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static JsonNode parse(String body) {
		try {
			return json.readTree(body);
		}
		catch (JacksonException ex) {
			return json.createObjectNode();
		}
	}

	/**
	 * One {@code POST /order} as the client saw it.
	 *
	 * @param instance index of the instance it was sent to
	 * @param requested the ordered quantity
	 * @param status the HTTP status, 0 when no answer came
	 * @param retryAfter the {@code Retry-After} header, if any
	 * @param body the JSON body (empty when it was not JSON)
	 * @param text the body as text, or the I/O failure
	 */
	record Placed(int instance, int requested, int status, String retryAfter, JsonNode body, String text) {

		String code() {
			return body().path("code").asString(null);
		}

		long orderId() {
			return number("order_id");
		}

		int remainingStock() {
			return Math.toIntExact(number("remaining_stock"));
		}

		long fencingToken() {
			return number("fencing_token");
		}

		int available() {
			return Math.toIntExact(number("available"));
		}

		private long number(String field) {
			JsonNode value = body().path(field);
			if (!value.isIntegralNumber()) {
				throw new IllegalStateException("No integer " + field + " in " + this);
			}
			return value.asLong();
		}

		@Override
		public String toString() {
			return "instance " + instance() + ", quantity " + requested() + " -> " + status() + " " + text();
		}

	}

}
