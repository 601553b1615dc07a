"""Enumerations a person sees, each member with a French and an Arabic label.

The Arabic labels are our own rendering of standard Moroccan legal terms; the domain
brief tags them [I]: a native reviewer should check them, which is
why they live in one place.
"""

from __future__ import annotations

from ._base import LabelledEnum

__all__ = [
    "CommissionBody",
    "ConstructionUse",
    "LegalForm",
    "Opinion",
    "ProcedureFamily",
    "ProcedureKind",
    "ProjectScale",
    "Role",
]


class ProcedureFamily(LabelledEnum):
    """Procedures that share one state graph."""

    BUILDING = ("building", "Autorisation de construire", "رخصة البناء")
    SUBDIVISION = (
        "subdivision",
        "Lotissement, groupe d'habitations, morcellement",
        "التجزئات والمجموعات السكنية وتقسيم العقارات",
    )
    REFECTION = ("refection", "Réfection", "الإصلاح")
    DEMOLITION = ("demolition", "Démolition", "الهدم")
    REGULARISATION = ("regularisation", "Régularisation", "التسوية")
    OCCUPANCY = (
        "occupancy",
        "Permis d'habiter et certificat de conformité",
        "رخصة السكن وشهادة المطابقة",
    )
    ECONOMIC = ("economic", "Autorisations économiques", "الرخص الاقتصادية")


class ProcedureKind(LabelledEnum):
    """Every procedure the platform handles. Legal bases and pieces: ``procedure_kind_info``."""

    URB_PERMIS_CONSTRUIRE_PETIT_PROJET = (
        "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "Permis de construire (petit projet)",
        "رخصة البناء (مشروع صغير)",
    )
    URB_PERMIS_CONSTRUIRE_GRAND_PROJET = (
        "URB_PERMIS_CONSTRUIRE_GRAND_PROJET",
        "Permis de construire (grand projet)",
        "رخصة البناء (مشروع كبير)",
    )
    URB_PERMIS_MODIFIER = ("URB_PERMIS_MODIFIER", "Permis de modification", "رخصة التغيير")
    URB_AUTORISATION_LOTIR = (
        "URB_AUTORISATION_LOTIR",
        "Autorisation de lotir",
        "الإذن بإحداث تجزئة عقارية",
    )
    URB_AUTORISATION_GROUPE_HABITATIONS = (
        "URB_AUTORISATION_GROUPE_HABITATIONS",
        "Autorisation de créer un groupe d'habitations",
        "الإذن بإحداث مجموعة سكنية",
    )
    URB_AUTORISATION_MORCELER = (
        "URB_AUTORISATION_MORCELER",
        "Autorisation de morceler",
        "الإذن بتقسيم العقارات",
    )
    URB_PERMIS_REFECTION = ("URB_PERMIS_REFECTION", "Permis de réfection", "رخصة الإصلاح")
    URB_PERMIS_DEMOLITION = ("URB_PERMIS_DEMOLITION", "Permis de démolition", "رخصة الهدم")
    URB_PERMIS_REGULARISATION = (
        "URB_PERMIS_REGULARISATION",
        "Permis de régularisation",
        "رخصة التسوية",
    )
    URB_PERMIS_HABITER = ("URB_PERMIS_HABITER", "Permis d'habiter", "رخصة السكن")
    URB_CERTIFICAT_CONFORMITE = (
        "URB_CERTIFICAT_CONFORMITE",
        "Certificat de conformité",
        "شهادة المطابقة",
    )
    ECO_ACTIVITE_COURANTE = (
        "ECO_ACTIVITE_COURANTE",
        "Ouverture d'un commerce ou d'une activité courante",
        "فتح محل تجاري أو نشاط عادي",
    )
    ECO_SIMPLE_DECLARATION = (
        "ECO_SIMPLE_DECLARATION",
        "Activité sur simple déclaration",
        "نشاط خاضع للتصريح",
    )
    ECO_ETABLISSEMENT_CLASSE_2E = (
        "ECO_ETABLISSEMENT_CLASSE_2E",
        "Établissement classé de 2e catégorie",
        "مؤسسة مصنفة من الصنف الثاني",
    )
    ECO_ETABLISSEMENT_CLASSE_3E = (
        "ECO_ETABLISSEMENT_CLASSE_3E",
        "Établissement classé de 3e catégorie",
        "مؤسسة مصنفة من الصنف الثالث",
    )
    ECO_OCCUPATION_DOMAINE_PUBLIC = (
        "ECO_OCCUPATION_DOMAINE_PUBLIC",
        "Occupation temporaire du domaine public",
        "الاحتلال المؤقت للملك العمومي",
    )
    ECO_AFFICHAGE_PUBLICITAIRE = (
        "ECO_AFFICHAGE_PUBLICITAIRE",
        "Publicité et affichage",
        "الإشهار واللوحات الإشهارية",
    )
    ECO_OUVERTURE_TRANCHEES = (
        "ECO_OUVERTURE_TRANCHEES",
        "Ouverture de tranchées dans le domaine public",
        "فتح الخنادق في الملك العمومي",
    )
    ECO_ODP_TELECOM = (
        "ECO_ODP_TELECOM",
        "Occupation du domaine public (télécommunications)",
        "احتلال الملك العمومي (الاتصالات)",
    )

    @property
    def is_urban(self) -> bool:
        """An urban-planning procedure (``URB_*``)."""
        return str.startswith(self, "URB_")

    @property
    def is_economic(self) -> bool:
        """An economic authorisation (``ECO_*``)."""
        return str.startswith(self, "ECO_")


class Role(LabelledEnum):
    """Who acts on a dossier."""

    PETITIONNAIRE = ("PETITIONNAIRE", "Pétitionnaire (maître d'ouvrage)", "صاحب الطلب")
    PROPRIETAIRE = ("PROPRIETAIRE", "Propriétaire", "المالك")
    MANDATAIRE = ("MANDATAIRE", "Mandataire ou concepteur", "الوكيل أو المصمم")
    ARCHITECTE = ("ARCHITECTE", "Architecte", "المهندس المعماري")
    IGT = ("IGT", "Ingénieur géomètre-topographe", "المهندس المساح الطبوغرافي")
    INGENIEUR_BET = (
        "INGENIEUR_BET",
        "Ingénieur ou bureau d'études techniques",
        "المهندس أو مكتب الدراسات التقنية",
    )
    GUICHET_AGENT = (
        "GUICHET_AGENT",
        "Agent du guichet unique ou du bureau d'ordre",
        "عون الشباك الوحيد أو مكتب الضبط",
    )
    COMMISSION_MEMBER = ("COMMISSION_MEMBER", "Membre de commission", "عضو اللجنة")
    PRESIDENT_COMMUNE = (
        "PRESIDENT_COMMUNE",
        "Président du conseil communal",
        "رئيس المجلس الجماعي",
    )
    PRESIDENT_ARRONDISSEMENT = (
        "PRESIDENT_ARRONDISSEMENT",
        "Président d'arrondissement (délégataire)",
        "رئيس مجلس المقاطعة (المفوض له)",
    )
    GOUVERNEUR = ("GOUVERNEUR", "Gouverneur ou wali", "العامل أو الوالي")
    AUTORITE_LOCALE = ("AUTORITE_LOCALE", "Autorité locale", "السلطة المحلية")
    REGISSEUR = ("REGISSEUR", "Régisseur de recettes", "شسيع المداخيل")
    DGCT = (
        "DGCT",
        "Direction générale des collectivités territoriales",
        "المديرية العامة للجماعات الترابية",
    )
    PROVINCE_CONTACT = (
        "PROVINCE_CONTACT",
        "Correspondant signature électronique de la province",
        "مخاطب التوقيع الإلكتروني بالعمالة أو الإقليم",
    )
    SYSTEM = ("SYSTEM", "Plateforme (action automatique)", "المنصة (إجراء تلقائي)")


class CommissionBody(LabelledEnum):
    """The body a commission member represents."""

    COMMUNE = ("COMMUNE", "Commune", "الجماعة")
    PROVINCE = ("PROVINCE", "Préfecture ou province", "العمالة أو الإقليم")
    AGENCE_URBAINE = ("AGENCE_URBAINE", "Agence urbaine", "الوكالة الحضرية")
    ANCFCC = ("ANCFCC", "Conservation foncière (ANCFCC)", "الوكالة الوطنية للمحافظة العقارية")
    PROTECTION_CIVILE = ("PROTECTION_CIVILE", "Protection civile", "الوقاية المدنية")
    HYGIENE = ("HYGIENE", "Bureau communal d'hygiène", "المكتب الجماعي لحفظ الصحة")
    OCCASIONAL = ("OCCASIONAL", "Membre occasionnel", "عضو غير دائم")


class Opinion(LabelledEnum):
    """A commission member's opinion. Reserves/adjourned are [X] in the brief: kept, flagged."""

    FAVORABLE = ("FAVORABLE", "Favorable", "موافق")
    FAVORABLE_WITH_RESERVES = (
        "FAVORABLE_WITH_RESERVES",
        "Favorable avec réserves",
        "موافق بتحفظات",
    )
    UNFAVORABLE = ("UNFAVORABLE", "Défavorable", "غير موافق")
    ADJOURNED = ("ADJOURNED", "Ajourné", "مؤجل")


class ConstructionUse(LabelledEnum):
    """What a building is for; the rubric of the construction tax follows from it."""

    INDIVIDUAL_HOUSING = ("INDIVIDUAL_HOUSING", "Habitat individuel", "سكن فردي")
    COLLECTIVE_HOUSING = ("COLLECTIVE_HOUSING", "Habitat collectif", "سكن جماعي")
    GROUPE_IMMOBILIER = ("GROUPE_IMMOBILIER", "Groupe immobilier", "مجموعة عقارية")
    SOCIAL_HOUSING = ("SOCIAL_HOUSING", "Logement social", "سكن اجتماعي")
    SLUM_CLEARANCE_HOUSING = (
        "SLUM_CLEARANCE_HOUSING",
        "Habitat de résorption des bidonvilles",
        "سكن محاربة دور الصفيح",
    )
    RURAL_HOUSING = ("RURAL_HOUSING", "Habitat de type rural", "سكن قروي")
    COMMERCIAL = ("COMMERCIAL", "Commercial", "تجاري")
    INDUSTRIAL = ("INDUSTRIAL", "Industriel", "صناعي")
    PROFESSIONAL = ("PROFESSIONAL", "Professionnel", "مهني")
    ADMINISTRATIVE = ("ADMINISTRATIVE", "Administratif", "إداري")
    TOURISM = ("TOURISM", "Touristique", "سياحي")
    EQUIPMENT = ("EQUIPMENT", "Équipement public", "تجهيز عمومي")


class ProjectScale(LabelledEnum):
    """Petits or grands projets: which commission route a dossier takes (§1.2)."""

    PETIT = ("PETIT", "Petit projet", "مشروع صغير")
    GRAND = ("GRAND", "Grand projet", "مشروع كبير")


class LegalForm(LabelledEnum):
    """Legal forms of Moroccan companies and public bodies."""

    SARL = ("SARL", "Société à responsabilité limitée", "شركة ذات مسؤولية محدودة")
    SARL_AU = ("SARL_AU", "SARL à associé unique", "شركة ذات مسؤولية محدودة بشريك وحيد")
    SA = ("SA", "Société anonyme", "شركة مساهمة")
    SNC = ("SNC", "Société en nom collectif", "شركة التضامن")
    SCI = ("SCI", "Société civile immobilière", "شركة مدنية عقارية")
    ASSOCIATION = ("ASSOCIATION", "Association", "جمعية")
    COOPERATIVE = ("COOPERATIVE", "Coopérative", "تعاونية")
    PUBLIC_BODY = ("PUBLIC_BODY", "Administration ou établissement public", "إدارة أو مؤسسة عمومية")
    COLLECTIVITE = ("COLLECTIVITE", "Collectivité territoriale", "جماعة ترابية")
