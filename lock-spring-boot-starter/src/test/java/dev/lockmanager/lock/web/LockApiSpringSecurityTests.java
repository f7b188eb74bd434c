package dev.lockmanager.lock.web;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The lock API protected by Spring Security, without an API key: HTTP Basic and the role LOCK_CLIENT, refusals as
 * problem details, and Spring Boot's default chain still protecting the rest of the application.
 */
@SpringBootTest(classes = SecuredApplication.class,
		properties = { "distributed-lock.http.enabled=true", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.timeout=1s" })
@AutoConfigureMockMvc
@DirtiesContext
class LockApiSpringSecurityTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@Autowired
	MockMvc mvc;

	private String path;

	@DynamicPropertySource
	static void redisPort(DynamicPropertyRegistry registry) {
		int port = redis.server().port();
		registry.add("spring.data.redis.port", () -> port);
	}

	@BeforeEach
	void uniquePath() {
		this.path = "/locks/secured-" + UUID.randomUUID();
	}

	@Test
	void requestWithoutCredentialsAnswersUnauthorizedProblemWithBasicChallenge() throws Exception {
		this.mvc.perform(get(this.path))
			.andExpect(status().isUnauthorized())
			.andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"lock-api\""))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(401))
			.andExpect(jsonPath("$.code").value("UNAUTHORIZED"))
			.andExpect(jsonPath("$.detail").value(containsString("LOCK_CLIENT")))
			.andExpect(jsonPath("$.instance").value(this.path));
	}

	@Test
	void wrongPasswordAnswersUnauthorized() throws Exception {
		this.mvc.perform(get(this.path).header(HttpHeaders.AUTHORIZATION, SecuredApplication.basic("client", "guess")))
			.andExpect(status().isUnauthorized())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
	}

	@Test
	void userWithoutTheRoleAnswersForbiddenProblem() throws Exception {
		this.mvc.perform(get(this.path).header(HttpHeaders.AUTHORIZATION, SecuredApplication.VIEWER))
			.andExpect(status().isForbidden())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("FORBIDDEN"))
			.andExpect(jsonPath("$.detail").value(containsString("LOCK_CLIENT")));
	}

	@Test
	void userWithTheRoleAcquiresRenewsAndReleasesWithoutCsrfTokenOrSession() throws Exception {
		String body = this.mvc
			.perform(post(this.path).header(HttpHeaders.AUTHORIZATION, SecuredApplication.CLIENT)
				.contentType(MediaType.APPLICATION_JSON)
				.content("{\"ttl\": \"10s\"}"))
			.andExpect(status().isCreated())
			.andExpect(header().doesNotExist(HttpHeaders.SET_COOKIE))
			.andReturn()
			.getResponse()
			.getContentAsString();
		String token = com.jayway.jsonpath.JsonPath.read(body, "$.token");
		this.mvc.perform(put(this.path).header(HttpHeaders.AUTHORIZATION, SecuredApplication.CLIENT)
			.header("Lock-Token", token)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"ttl\": \"10s\"}")).andExpect(status().isOk());
		this.mvc.perform(delete(this.path).header(HttpHeaders.AUTHORIZATION, SecuredApplication.CLIENT)
			.header("Lock-Token", token)).andExpect(status().isNoContent());
	}

	@Test
	void bearerTokenIsNotAcceptedWhenNoApiKeyIsConfigured() throws Exception {
		this.mvc.perform(get(this.path).header(HttpHeaders.AUTHORIZATION, "Bearer 0123456789abcdef"))
			.andExpect(status().isUnauthorized());
	}

	@Test
	void restOfTheApplicationIsStillProtectedBySpringBootsDefaultChain() throws Exception {
		this.mvc.perform(get("/hello")).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/hello").header(HttpHeaders.AUTHORIZATION, SecuredApplication.VIEWER))
			.andExpect(status().isOk())
			.andExpect(content().string("hello"));
	}

}
