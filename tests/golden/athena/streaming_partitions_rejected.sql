SELECT source_file, line_number, line, reason
        FROM (SELECT "source_file", "line_number", "landing_month", "line", "reason", "event_time", "event_type", "film_id", "distributor", "platform", "state", "event_timestamp" FROM "sakila"."streaming_checked" WHERE (("year" = '2023' AND "month" = '03')))
        WHERE reason IS NOT NULL AND landing_month = '2023-03'
