package dev.lockmanager.lock.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.actuate.LockEventsAutoConfiguration;
import dev.lockmanager.lock.actuate.LockHealthContributorAutoConfiguration;
import dev.lockmanager.lock.actuate.LockMetricsAutoConfiguration;
import dev.lockmanager.lock.actuate.LocksEndpointAutoConfiguration;
import dev.lockmanager.lock.web.LockApiAutoConfiguration;

/**
 * Every bean the starter contributes must give way to a bean of the application: each {@code @Bean} method of the
 * auto-configurations listed in {@code AutoConfiguration.imports}, and of the configurations they nest or import,
 * carries {@code @ConditionalOnMissingBean}.
 */
class AutoConfigurationBeanMethodsTests {

	/** The starter's root package: auto-configurations live in autoconfigure/ and in the optional web/ and actuate/. */
	private static final String PACKAGE = "dev.lockmanager.lock";

	@Test
	void autoConfigurationsAreRegistered() {
		assertThat(autoConfigurations()).containsExactly(DistributedLockAutoConfiguration.class,
				DistributedLockAnnotationAutoConfiguration.class, LockMetricsAutoConfiguration.class,
				LockEventsAutoConfiguration.class, LockHealthContributorAutoConfiguration.class,
				LocksEndpointAutoConfiguration.class, LockApiAutoConfiguration.class);
	}

	@Test
	void everyBeanMethodIsConditionalOnMissingBean() {
		Set<Class<?>> configurations = new LinkedHashSet<>();
		autoConfigurations().forEach((autoConfiguration) -> collect(autoConfiguration, configurations));
		List<Method> beanMethods = new ArrayList<>();
		configurations.forEach((configuration) -> Arrays.stream(configuration.getDeclaredMethods())
			.filter((method) -> AnnotatedElementUtils.hasAnnotation(method, Bean.class))
			.forEach(beanMethods::add));
		assertThat(beanMethods).isNotEmpty();
		assertThat(beanMethods).as("@Bean methods without @ConditionalOnMissingBean")
			.filteredOn((method) -> !AnnotatedElementUtils.hasAnnotation(method, ConditionalOnMissingBean.class))
			.isEmpty();
	}

	private static List<Class<?>> autoConfigurations() {
		ClassLoader classLoader = AutoConfigurationBeanMethodsTests.class.getClassLoader();
		return ImportCandidates.load(AutoConfiguration.class, classLoader)
			.getCandidates()
			.stream()
			.filter((name) -> name.startsWith(PACKAGE + "."))
			.<Class<?>>map((name) -> ClassUtils.resolveClassName(name, classLoader))
			.toList();
	}

	private static void collect(Class<?> configuration, Set<Class<?>> configurations) {
		if (!configurations.add(configuration)) {
			return;
		}
		for (Class<?> nested : configuration.getDeclaredClasses()) {
			if (AnnotatedElementUtils.hasAnnotation(nested, Configuration.class)) {
				collect(nested, configurations);
			}
		}
		Import imports = AnnotatedElementUtils.findMergedAnnotation(configuration, Import.class);
		if (imports != null) {
			Arrays.stream(imports.value())
				.filter((imported) -> imported.getPackageName().startsWith(PACKAGE))
				.forEach((imported) -> collect(imported, configurations));
		}
	}

}
