package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;

/**
 * The sample serves the HTTP lock API, and its locks are the order service's: a client in any language that holds
 * {@code /locks/inventory/{item}} holds the lock that orders of that item take. The API keeps its own JSON names
 * although the sample writes snake_case.
 */
class HttpLockApiTests extends WebTestSupport {

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@Value("${distributed-lock.http.api-key}")
	String apiKey;

	@Test
	void holdingAnItemsLockOverHttpHoldsBackOrdersOfThatItemUntilTheLeaseEnds() throws Exception {
		String item = newItem(10);
		HttpResponse<String> granted = send(HttpRequest.newBuilder(uri("/locks/inventory/" + item))
			.header("Authorization", "Bearer " + this.apiKey)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"ttl\": \"1500ms\"}")));
		assertThat(granted.statusCode()).isEqualTo(201);
		JsonNode lease = JsonMapper.shared().readTree(granted.body());
		long httpFencingToken = lease.path("fencingToken").asLong();
		assertThat(httpFencingToken).isPositive();
		assertThat(lease.has("expiresAt")).isTrue();

		long start = System.nanoTime();
		OrderApi.Response order = this.api.order(item, 1);

		assertThat(order.status()).isEqualTo(201);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
		assertThat(order.json().path("fencing_token").asLong()).isGreaterThan(httpFencingToken);
	}

	@Test
	void lockApiRefusesRequestsWithoutTheApiKey() throws Exception {
		HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/locks/inventory/item1")).GET());
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
	}

}
