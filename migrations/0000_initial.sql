CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"scope" text DEFAULT 'write' NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_tokens_name_not_empty" CHECK (length("api_tokens"."name") > 0),
	CONSTRAINT "api_tokens_scope_check" CHECK (scope in ('read', 'write')),
	CONSTRAINT "api_tokens_expiry_after_creation" CHECK ("api_tokens"."expires_at" is null or "api_tokens"."expires_at" > "api_tokens"."created_at")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"team_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_members_team_id_user_id_pk" PRIMARY KEY("team_id","user_id"),
	CONSTRAINT "team_members_role_check" CHECK (role in ('lead', 'member'))
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_name_not_empty" CHECK (length("teams"."name") > 0)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"last_login" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_name_not_empty" CHECK (length("users"."name") > 0),
	CONSTRAINT "users_email_lowercase" CHECK ("users"."email" = lower("users"."email"))
);
--> statement-breakpoint
CREATE TABLE "threat_model_access" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"principal_type" text NOT NULL,
	"user_id" uuid,
	"team_id" uuid,
	"role" text NOT NULL,
	"granted_by" uuid,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "threat_model_access_role_check" CHECK (role in ('reader', 'reviewer', 'writer', 'owner')),
	CONSTRAINT "threat_model_access_principal_type_check" CHECK (principal_type in ('user', 'team', 'everyone')),
	CONSTRAINT "threat_model_access_principal_shape" CHECK (("threat_model_access"."principal_type" = 'user' and "threat_model_access"."user_id" is not null and "threat_model_access"."team_id" is null)
       or ("threat_model_access"."principal_type" = 'team' and "threat_model_access"."team_id" is not null and "threat_model_access"."user_id" is null)
       or ("threat_model_access"."principal_type" = 'everyone' and "threat_model_access"."user_id" is null and "threat_model_access"."team_id" is null))
);
--> statement-breakpoint
CREATE TABLE "threat_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"owner_id" uuid NOT NULL,
	"created_by" uuid,
	"framework" text DEFAULT 'STRIDE' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"status_updated_at" timestamp with time zone,
	"issue_url" text,
	"version" integer DEFAULT 1 NOT NULL,
	"threat_count" integer DEFAULT 0 NOT NULL,
	"diagram_count" integer DEFAULT 0 NOT NULL,
	"document_count" integer DEFAULT 0 NOT NULL,
	"repository_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "threat_models_name_not_empty" CHECK (length("threat_models"."name") > 0),
	CONSTRAINT "threat_models_framework_check" CHECK (framework in ('STRIDE', 'CIA', 'LINDDUN', 'DIE', 'PLOT4ai')),
	CONSTRAINT "threat_models_status_check" CHECK (status in ('draft', 'in_review', 'approved', 'archived')),
	CONSTRAINT "threat_models_counts_non_negative" CHECK ("threat_models"."threat_count" >= 0 and "threat_models"."diagram_count" >= 0 and "threat_models"."document_count" >= 0 and "threat_models"."repository_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "threats" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"diagram_id" uuid,
	"cell_id" uuid,
	"name" text NOT NULL,
	"description" text,
	"threat_type" text[] DEFAULT '{}'::text[] NOT NULL,
	"severity" text DEFAULT 'Unknown' NOT NULL,
	"likelihood" text,
	"impact" text,
	"score" real,
	"priority" text,
	"status" text DEFAULT 'open' NOT NULL,
	"mitigation" text,
	"mitigated" boolean DEFAULT false NOT NULL,
	"issue_url" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "threats_name_not_empty" CHECK (length("threats"."name") > 0),
	CONSTRAINT "threats_severity_check" CHECK (severity in ('Unknown', 'None', 'Low', 'Medium', 'High', 'Critical')),
	CONSTRAINT "threats_likelihood_check" CHECK (likelihood is null or likelihood in ('Unknown', 'None', 'Low', 'Medium', 'High', 'Critical')),
	CONSTRAINT "threats_impact_check" CHECK (impact is null or impact in ('Unknown', 'None', 'Low', 'Medium', 'High', 'Critical')),
	CONSTRAINT "threats_priority_check" CHECK (priority is null or priority in ('P0', 'P1', 'P2', 'P3', 'P4')),
	CONSTRAINT "threats_status_check" CHECK (status in ('open', 'in_progress', 'mitigated', 'accepted', 'closed')),
	CONSTRAINT "threats_score_range" CHECK ("threats"."score" is null or ("threats"."score" >= 0 and "threats"."score" <= 100))
);
--> statement-breakpoint
CREATE TABLE "diagram_updates" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "diagram_updates_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"diagram_id" uuid NOT NULL,
	"update" "bytea" NOT NULL,
	"origin" text NOT NULL,
	"user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagram_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"diagram_id" uuid NOT NULL,
	"version_number" integer NOT NULL,
	"kind" text NOT NULL,
	"ydoc_state" "bytea" NOT NULL,
	"cells" jsonb NOT NULL,
	"change_description" text,
	"restored_from" integer,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "diagram_versions_kind_check" CHECK (kind in ('auto', 'manual', 'restore')),
	CONSTRAINT "diagram_versions_version_number_positive" CHECK ("diagram_versions"."version_number" > 0)
);
--> statement-breakpoint
CREATE TABLE "diagrams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" text DEFAULT 'DFD-1.0.0' NOT NULL,
	"description" text,
	"cells" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"ydoc_state" "bytea",
	"compacted_seq" bigint DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "diagrams_name_not_empty" CHECK (length("diagrams"."name") > 0),
	CONSTRAINT "diagrams_type_check" CHECK (type in ('DFD-1.0.0'))
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_name_not_empty" CHECK (length("documents"."name") > 0),
	CONSTRAINT "documents_url_not_empty" CHECK (length("documents"."url") > 0)
);
--> statement-breakpoint
CREATE TABLE "metadata" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "metadata_entity_type_check" CHECK (entity_type in ('threat_model', 'threat', 'diagram', 'document', 'repository', 'cell')),
	CONSTRAINT "metadata_key_format" CHECK ("metadata"."key" ~ '^[A-Za-z0-9_.:-]{1,256}$'),
	CONSTRAINT "metadata_value_length" CHECK (length("metadata"."value") <= 4096)
);
--> statement-breakpoint
CREATE TABLE "repositories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"type" text DEFAULT 'git' NOT NULL,
	"parameters" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "repositories_name_not_empty" CHECK (length("repositories"."name") > 0),
	CONSTRAINT "repositories_url_not_empty" CHECK (length("repositories"."url") > 0),
	CONSTRAINT "repositories_type_check" CHECK (type in ('git', 'svn', 'mercurial', 'other'))
);
--> statement-breakpoint
CREATE TABLE "collab_tickets" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"diagram_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collaboration_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"diagram_id" uuid NOT NULL,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collaboration_sessions_ended_after_start" CHECK ("collaboration_sessions"."ended_at" is null or "collaboration_sessions"."ended_at" >= "collaboration_sessions"."created_at")
);
--> statement-breakpoint
CREATE TABLE "session_participants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_participants_role_check" CHECK (role in ('reader', 'reviewer', 'writer', 'owner')),
	CONSTRAINT "session_participants_left_after_join" CHECK ("session_participants"."left_at" is null or "session_participants"."left_at" >= "session_participants"."joined_at")
);
--> statement-breakpoint
CREATE TABLE "comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"diagram_id" uuid,
	"cell_id" uuid,
	"threat_id" uuid,
	"parent_id" uuid,
	"author_id" uuid,
	"body" text NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "comments_body_length" CHECK (length("comments"."body") between 1 and 10000),
	CONSTRAINT "comments_cell_needs_diagram" CHECK ("comments"."cell_id" is null or "comments"."diagram_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"threat_model_id" uuid,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notifications_type_check" CHECK (type in ('mention', 'reply', 'review_requested', 'review_decided')),
	CONSTRAINT "notifications_title_not_empty" CHECK (length("notifications"."title") > 0)
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"requested_by" uuid,
	"reviewer_id" uuid,
	"state" text DEFAULT 'requested' NOT NULL,
	"note" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviews_state_check" CHECK (state in ('requested', 'approved', 'changes_requested')),
	CONSTRAINT "reviews_decision_shape" CHECK (("reviews"."state" = 'requested') = ("reviews"."decided_at" is null))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"actor_id" uuid,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"threat_model_id" uuid,
	"changes" jsonb,
	"request_id" text,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_model_access" ADD CONSTRAINT "threat_model_access_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_model_access" ADD CONSTRAINT "threat_model_access_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_model_access" ADD CONSTRAINT "threat_model_access_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_model_access" ADD CONSTRAINT "threat_model_access_granted_by_users_id_fk" FOREIGN KEY ("granted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_models" ADD CONSTRAINT "threat_models_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threat_models" ADD CONSTRAINT "threat_models_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threats" ADD CONSTRAINT "threats_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threats" ADD CONSTRAINT "threats_diagram_id_diagrams_id_fk" FOREIGN KEY ("diagram_id") REFERENCES "public"."diagrams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threats" ADD CONSTRAINT "threats_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagram_updates" ADD CONSTRAINT "diagram_updates_diagram_id_diagrams_id_fk" FOREIGN KEY ("diagram_id") REFERENCES "public"."diagrams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagram_updates" ADD CONSTRAINT "diagram_updates_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagram_versions" ADD CONSTRAINT "diagram_versions_diagram_id_diagrams_id_fk" FOREIGN KEY ("diagram_id") REFERENCES "public"."diagrams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagram_versions" ADD CONSTRAINT "diagram_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagrams" ADD CONSTRAINT "diagrams_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagrams" ADD CONSTRAINT "diagrams_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metadata" ADD CONSTRAINT "metadata_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repositories" ADD CONSTRAINT "repositories_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repositories" ADD CONSTRAINT "repositories_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_tickets" ADD CONSTRAINT "collab_tickets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collab_tickets" ADD CONSTRAINT "collab_tickets_diagram_id_diagrams_id_fk" FOREIGN KEY ("diagram_id") REFERENCES "public"."diagrams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collaboration_sessions" ADD CONSTRAINT "collaboration_sessions_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collaboration_sessions" ADD CONSTRAINT "collaboration_sessions_diagram_id_diagrams_id_fk" FOREIGN KEY ("diagram_id") REFERENCES "public"."diagrams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_participants" ADD CONSTRAINT "session_participants_session_id_collaboration_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."collaboration_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_participants" ADD CONSTRAINT "session_participants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_diagram_id_diagrams_id_fk" FOREIGN KEY ("diagram_id") REFERENCES "public"."diagrams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_threat_id_threats_id_fk" FOREIGN KEY ("threat_id") REFERENCES "public"."threats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_parent_id_comments_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."comments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "team_members_user_id_idx" ON "team_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "users_last_login_idx" ON "users" USING btree ("last_login");--> statement-breakpoint
CREATE UNIQUE INDEX "threat_model_access_user_key" ON "threat_model_access" USING btree ("threat_model_id","user_id") WHERE "threat_model_access"."user_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "threat_model_access_team_key" ON "threat_model_access" USING btree ("threat_model_id","team_id") WHERE "threat_model_access"."team_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "threat_model_access_everyone_key" ON "threat_model_access" USING btree ("threat_model_id") WHERE "threat_model_access"."principal_type" = 'everyone';--> statement-breakpoint
CREATE INDEX "threat_model_access_user_id_idx" ON "threat_model_access" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "threat_model_access_team_id_idx" ON "threat_model_access" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "threat_models_owner_id_idx" ON "threat_models" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "threat_models_modified_at_idx" ON "threat_models" USING btree ("modified_at");--> statement-breakpoint
CREATE INDEX "threats_threat_model_id_created_at_idx" ON "threats" USING btree ("threat_model_id","created_at");--> statement-breakpoint
CREATE INDEX "threats_diagram_id_cell_id_idx" ON "threats" USING btree ("diagram_id","cell_id");--> statement-breakpoint
CREATE INDEX "diagram_updates_diagram_id_seq_idx" ON "diagram_updates" USING btree ("diagram_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "diagram_versions_diagram_id_version_number_key" ON "diagram_versions" USING btree ("diagram_id","version_number");--> statement-breakpoint
CREATE INDEX "diagrams_threat_model_id_idx" ON "diagrams" USING btree ("threat_model_id","created_at");--> statement-breakpoint
CREATE INDEX "documents_threat_model_id_idx" ON "documents" USING btree ("threat_model_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "metadata_entity_type_entity_id_key_key" ON "metadata" USING btree ("entity_type","entity_id","key");--> statement-breakpoint
CREATE INDEX "metadata_threat_model_id_idx" ON "metadata" USING btree ("threat_model_id");--> statement-breakpoint
CREATE INDEX "repositories_threat_model_id_idx" ON "repositories" USING btree ("threat_model_id","created_at");--> statement-breakpoint
CREATE INDEX "collab_tickets_expires_at_idx" ON "collab_tickets" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "collaboration_sessions_one_active_per_diagram" ON "collaboration_sessions" USING btree ("diagram_id") WHERE "collaboration_sessions"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "collaboration_sessions_threat_model_id_idx" ON "collaboration_sessions" USING btree ("threat_model_id");--> statement-breakpoint
CREATE UNIQUE INDEX "session_participants_unique_active" ON "session_participants" USING btree ("session_id","user_id") WHERE "session_participants"."left_at" is null;--> statement-breakpoint
CREATE INDEX "session_participants_user_id_idx" ON "session_participants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "comments_threat_model_id_idx" ON "comments" USING btree ("threat_model_id","created_at");--> statement-breakpoint
CREATE INDEX "comments_diagram_id_cell_id_idx" ON "comments" USING btree ("diagram_id","cell_id");--> statement-breakpoint
CREATE INDEX "comments_threat_id_idx" ON "comments" USING btree ("threat_id");--> statement-breakpoint
CREATE INDEX "comments_parent_id_idx" ON "comments" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "notifications_user_id_read_at_idx" ON "notifications" USING btree ("user_id","read_at","created_at");--> statement-breakpoint
CREATE INDEX "reviews_threat_model_id_idx" ON "reviews" USING btree ("threat_model_id","created_at");--> statement-breakpoint
CREATE INDEX "reviews_reviewer_id_idx" ON "reviews" USING btree ("reviewer_id");--> statement-breakpoint
CREATE INDEX "audit_log_threat_model_id_id_idx" ON "audit_log" USING btree ("threat_model_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_id_idx" ON "audit_log" USING btree ("actor_id");