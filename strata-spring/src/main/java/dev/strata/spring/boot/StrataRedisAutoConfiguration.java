package dev.strata.spring.boot;

import dev.strata.redis.connect.StrataRedis;
import dev.strata.redis.session.SessionStore;
import dev.strata.spring.cache.StrataCacheManager;
import dev.strata.spring.session.StrataSessionRepository;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.session.SessionRepository;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * Spring Boot auto-configuration: with strata-spring on the class path and {@code REDIS_URL} (or
 * {@code strata.redis.url}) set, a Boot app gets a {@link StrataRedis}, Spring's cache abstraction
 * on Strata's cache (active once the app says {@code @EnableCaching}), and — with
 * spring-session-core on the class path of a web app — {@code HttpSession} in Strata's session
 * store. Each bean backs off when the app defines its own.
 *
 * <p>Properties: {@code strata.redis.url} (default {@code $REDIS_URL}), {@code strata.redis.ca}
 * (default {@code $REDIS_CA}), {@code strata.session.idle-timeout} (default 30m), {@code
 * strata.session.absolute-timeout} (default none), {@code strata.session.max-per-user} (default
 * 10).
 */
@AutoConfiguration(
    beforeName = {
      "org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration",
      "org.springframework.boot.autoconfigure.session.SessionAutoConfiguration"
    })
@ConditionalOnClass(StrataRedis.class)
public class StrataRedisAutoConfiguration {

  /** The connection, from {@code strata.redis.url} or the environment's {@code REDIS_URL}. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public StrataRedis strataRedis(Environment env) {
    String url = env.getProperty("strata.redis.url");
    String ca = env.getProperty("strata.redis.ca");
    if (url == null) {
      return StrataRedis.fromEnvironment(
          name -> name.equals("REDIS_CA") && ca != null ? ca : System.getenv(name));
    }
    return StrataRedis.fromEnvironment(
        Map.of("REDIS_URL", url, "REDIS_CA", ca == null ? "" : ca)::get);
  }

  /** Spring's cache abstraction on Strata's cache, every cache with Strata's defaults. */
  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  public StrataCacheManager cacheManager(StrataRedis redis) {
    return StrataCacheManager.builder(redis).build();
  }

  /** Spring Session on Strata's session store, for web apps with spring-session-core. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SessionRepository.class)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnMissingBean(SessionRepositoryFilter.class)
  @EnableSpringHttpSession
  public static class SessionConfiguration {

    /** The store, configured from {@code strata.session.*}. */
    @Bean
    @ConditionalOnMissingBean
    public SessionStore strataSessionStore(StrataRedis redis, Environment env) {
      SessionStore.Builder b =
          SessionStore.builder(redis)
              .idleTimeout(
                  env.getProperty(
                      "strata.session.idle-timeout", Duration.class, Duration.ofMinutes(30)))
              .maxSessionsPerUser(
                  env.getProperty("strata.session.max-per-user", Integer.class, 10));
      Duration absolute = env.getProperty("strata.session.absolute-timeout", Duration.class);
      if (absolute != null) {
        b.absoluteTimeout(absolute);
      }
      return b.build();
    }

    /** The repository Spring Session's filter uses. */
    @Bean
    @ConditionalOnMissingBean(SessionRepository.class)
    public StrataSessionRepository sessionRepository(SessionStore store) {
      return new StrataSessionRepository(store);
    }
  }
}
