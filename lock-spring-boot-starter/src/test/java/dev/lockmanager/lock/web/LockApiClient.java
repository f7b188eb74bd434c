package dev.lockmanager.lock.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Optional;

import com.jayway.jsonpath.JsonPath;

/**
 * A client of the lock API over real HTTP, as a service in another language would use it: raw paths (so percent
 * encoding reaches the server as written), the API key, the {@code Lock-Token} header.
 */
final class LockApiClient {

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String baseUri;

	private final String authorization;

	LockApiClient(int port) {
		this(port, ApiKeyApplication.BEARER);
	}

	/**
	 * A client that sends its own {@code Authorization} header, a wrong API key for one.
	 */
	LockApiClient(int port, String authorization) {
		this.baseUri = "http://127.0.0.1:" + port;
		this.authorization = authorization;
	}

	Response acquire(String path, String ttl, String waitTime) {
		return post(path, "{\"ttl\": \"" + ttl + "\", \"waitTime\": \"" + waitTime + "\"}");
	}

	Response post(String path, String json) {
		return send(request(path).header("Content-Type", "application/json").POST(BodyPublishers.ofString(json)));
	}

	Response renew(String path, String token, String ttl) {
		return send(request(path).header("Content-Type", "application/json")
			.header("Lock-Token", token)
			.PUT(BodyPublishers.ofString("{\"ttl\": \"" + ttl + "\"}")));
	}

	Response release(String path, String token) {
		return send(request(path).header("Lock-Token", token).DELETE());
	}

	Response inspect(String path) {
		return send(request(path).GET());
	}

	HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.baseUri + path))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", this.authorization);
	}

	Response send(HttpRequest.Builder request) {
		try {
			java.net.http.HttpResponse<String> response = this.client.send(request.build(), BodyHandlers.ofString());
			return new Response(response.statusCode(), response.headers(), response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	record Response(int status, java.net.http.HttpHeaders headers, String body) {

		<T> T json(String path) {
			return JsonPath.read(this.body, path);
		}

		String token() {
			return json("$.token");
		}

		Optional<String> header(String name) {
			return this.headers.firstValue(name);
		}

	}

}
