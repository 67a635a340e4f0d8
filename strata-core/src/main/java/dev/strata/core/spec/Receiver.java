package dev.strata.core.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One entry of {@code alerts.receivers}: where Alertmanager sends notifications. Written {@code
 * {name: ops, slack: URL}}, {@code {name: …, discord: URL}}, {@code {name: …, webhook: URL}} or
 * {@code {name: …, pagerduty: {routing_key: …, url: …}}}.
 *
 * @param name how {@code strata alerts test NAME} and Alertmanager's route name it
 * @param type {@code slack}, {@code discord}, {@code webhook} or {@code pagerduty}
 * @param url the webhook URL; for PagerDuty the Events API endpoint (default Events v2)
 * @param routingKey PagerDuty's integration key; empty for the other types
 */
public record Receiver(String name, String type, String url, Optional<String> routingKey) {
  /** PagerDuty's Events API v2 endpoint, the default {@code url} of a pagerduty receiver. */
  public static final String PAGERDUTY_EVENTS_V2 = "https://events.pagerduty.com/v2/enqueue";

  static final List<String> TYPES = List.of("slack", "discord", "webhook", "pagerduty");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern URL = Pattern.compile("https?://\\S+");

  /** The URL with its path and query hidden: webhook URLs carry their secret in the path. */
  public String maskedUrl() {
    return url.replaceAll("(https?://[^/]+).*", "$1/<masked>");
  }

  @Override
  public String toString() {
    return name + " (" + type + " " + maskedUrl() + ")";
  }

  /** How {@code alerts.receivers} is read: a list of receivers with distinct names. */
  static Type<List<Receiver>> listType() {
    String allowed =
        "a list of {name: NAME, slack|discord|webhook: URL} or {name: NAME, pagerduty:"
            + " {routing_key: KEY, url: URL}}";
    return new Type<>() {
      @Override
      public List<Receiver> read(Value value) throws BadValue {
        if (!(value instanceof Value.Sequence seq)) {
          throw new BadValue(value, "expected " + allowed + ", found '" + value.text() + "'");
        }
        List<Receiver> all = new ArrayList<>();
        for (Value item : seq.items()) {
          Receiver r = receiver(item);
          if (all.stream().anyMatch(o -> o.name().equals(r.name()))) {
            throw new BadValue(item, "receiver name '" + r.name() + "' is used twice: rename one");
          }
          all.add(r);
        }
        return Collections.unmodifiableList(all);
      }

      @Override
      public String allowed() {
        return allowed;
      }

      @Override
      public String render(List<Receiver> value) {
        return value.isEmpty() ? "[]" : value.toString();
      }

      @Override
      public Map<String, Object> schema() {
        Map<String, Object> url = Json.obj("type", "string", "pattern", "^https?://");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("name", Json.obj("type", "string"));
        properties.put("slack", url);
        properties.put("discord", url);
        properties.put("webhook", url);
        properties.put(
            "pagerduty",
            Json.obj(
                "type",
                "object",
                "properties",
                Json.obj("routing_key", Json.obj("type", "string"), "url", url),
                "required",
                List.of("routing_key")));
        return Json.obj(
            "type",
            "array",
            "items",
            Json.obj("type", "object", "properties", properties, "required", List.of("name")));
      }
    };
  }

  private static Receiver receiver(Value item) throws BadValue {
    if (!(item instanceof Value.Mapping map)) {
      throw new BadValue(
          item, "expected {name: NAME, slack: URL} (or discord, webhook, pagerduty)");
    }
    Map<String, Value> fields = new LinkedHashMap<>();
    for (Value.Entry e : map.entries()) {
      if (!e.key().equals("name") && !TYPES.contains(e.key())) {
        throw new BadValue(
            item, "unknown key '" + e.key() + "': expected name and one of " + TYPES);
      }
      fields.put(e.key(), e.value());
    }
    Value nameValue = fields.get("name");
    if (!(nameValue instanceof Value.Scalar n)
        || n.text() == null
        || !NAME.matcher(n.text()).matches()) {
      throw new BadValue(item, "each receiver needs a name (letters, digits, - and _)");
    }
    List<String> types = TYPES.stream().filter(fields::containsKey).toList();
    if (types.size() != 1) {
      throw new BadValue(
          item, "receiver " + n.text() + " needs exactly one of " + TYPES + ", found " + types);
    }
    String type = types.get(0);
    Value target = fields.get(type);
    if (type.equals("pagerduty")) {
      return pagerduty(n.text(), target);
    }
    return new Receiver(n.text(), type, url(target), Optional.empty());
  }

  private static Receiver pagerduty(String name, Value target) throws BadValue {
    if (!(target instanceof Value.Mapping map)) {
      throw new BadValue(target, "expected pagerduty: {routing_key: KEY, url: URL}");
    }
    String key = null;
    String url = PAGERDUTY_EVENTS_V2;
    for (Value.Entry e : map.entries()) {
      switch (e.key()) {
        case "routing_key" -> key = scalar(e.value());
        case "url" -> url = url(e.value());
        default ->
            throw new BadValue(
                target, "unknown key '" + e.key() + "': expected routing_key and url");
      }
    }
    if (key == null || key.isBlank()) {
      throw new BadValue(target, "pagerduty needs a routing_key (the integration key)");
    }
    return new Receiver(name, "pagerduty", url, Optional.of(key));
  }

  private static String url(Value v) throws BadValue {
    String text = scalar(v);
    if (!URL.matcher(text).matches()) {
      throw new BadValue(v, "'" + text + "' is not an http:// or https:// URL");
    }
    return text;
  }

  private static String scalar(Value v) throws BadValue {
    if (!(v instanceof Value.Scalar s) || s.text() == null) {
      throw new BadValue(v, "expected a value");
    }
    return s.text();
  }
}
