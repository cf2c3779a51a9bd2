# Writes the CAF flux fixtures of this directory (windows-1252, as the real files are).
# Run once by hand: python3 tests/data/caf/make_fixtures.py; the files are committed.
import os
HERE = os.path.dirname(os.path.abspath(__file__))
def person(qual, nom, nomnai, prenom, commune, dtnai, nir, sexe, role, resp, extra_pe=None, duties=None, extra=""):
    x = "<Personne><Identification>"
    if qual: x += f"<QUAL>{qual}</QUAL>"
    x += f"<NOM>{nom}</NOM><NOMNAI>{nomnai}</NOMNAI><PRENOM>{prenom}</PRENOM><NOMCOMNAI>{commune}</NOMCOMNAI><DTNAI>{dtnai}</DTNAI>"
    if nir: x += f"<NIR>{nir}</NIR><TOPVALIEC>true</TOPVALIEC>"
    x += f"<SEXE>{sexe}</SEXE></Identification>"
    x += f"<DossierCAF><TOPRESPDOS>{'true' if resp else 'false'}</TOPRESPDOS><DDRATDOS>2024-03-01</DDRATDOS></DossierCAF>"
    x += f"<Prestations><NATPREST>RSA</NATPREST><ROLEPERS>{role}</ROLEPERS><TOPCHAPERS>{'false' if role=='ENF' else 'true'}</TOPCHAPERS></Prestations>"
    x += f"<Prestations><NATPREST>PFA</NATPREST><ROLEPERS>{role}</ROLEPERS><TOPCHAPERS>false</TOPCHAPERS></Prestations>"
    if extra_pe: x += f"<DossierPoleEmploi><IDASSEDIC>{extra_pe}</IDASSEDIC></DossierPoleEmploi>"
    x += extra.replace("@DUTIES@", "")
    if duties is not None:
        pass
    x += "</Personne>"
    return x

RESSOURCES = ("<Ressources><GeneraliteRessourcesTrimestre><TOPRESSNUL>false</TOPRESSNUL><DDRESS>2026-07-01</DDRESS><DFRESS>2026-09-30</DFRESS></GeneraliteRessourcesTrimestre>"
              "<RessourcesMensuelles><GeneraliteRessourcesMensuelles><MOISRESS>2026-09-01</MOISRESS></GeneraliteRessourcesMensuelles>"
              "<DetailRessourcesMensuelles><NATRESS>SAL</NATRESS><MTNATRESSMEN>412.50</MTNATRESSMEN></DetailRessourcesMensuelles></RessourcesMensuelles></Ressources>")
def duties(flag): return f"<MontantCalculDroitRSAPersonne><TOPPERSDRODEVORSA>{flag}</TOPPERSDRODEVORSA><MTPERSRESSMENRSA>412.50</MTPERSRESSMENRSA></MontantCalculDroitRSAPersonne>"
GROSSESSE = "<Grossesse><DDGRO>2026-05-02</DDGRO><DTDECLGRO>2026-06-10</DTDECLGRO></Grossesse>"
PENSION = "<PensionAlimentaire><CreanceAlimentaire><ETATCREALIM>01</ETATCREALIM><DDCREALIM>2025-01-01</DDCREALIM><ORIOBLALIM>JUG</ORIOBLALIM><MTSANCREALIM>150.00</MTSANCREALIM></CreanceAlimentaire></PensionAlimentaire>"

def adresse_fr(compl, num, typ, voie, insee, cp, commune):
    return ("<Adresse><TroncCommunAdresse><RGADR>1</RGADR><DTEMM>2023-09-01</DTEMM><PAYS>FRA</PAYS><TYPEADR>P</TYPEADR><ETATADR>CO</ETATADR></TroncCommunAdresse>"
            f"<AdresseDetailleeFrance><COMPLIDEADR>{compl}</COMPLIDEADR><COMPLADR></COMPLADR><NUMVOIE>{num}</NUMVOIE><LIBTYPEVOIE>{typ}</LIBTYPEVOIE><NOMVOIE>{voie}</NOMVOIE><LIEUDIST></LIEUDIST><NUMCOM>{insee}</NUMCOM><CODEPOS>{cp}</CODEPOS><NOMCOM>{commune}</NOMCOM></AdresseDetailleeFrance></Adresse>")

def household(fonorg, numorg, matricule, numdem, dtdem, persons, sitfam, adresse, etat, situation_extra="", sdf=False, enfants=None, droits_extra="", tail=""):
    x = (f"<InfosFoyerRSA><IdentificationRSA><Organisme><FONORG>{fonorg}</FONORG><NUMORG>{numorg}</NUMORG><MATRICULE>{matricule}</MATRICULE></Organisme>"
         f"<Partenaire><TYPEPARTE>CG</TYPEPARTE><IDEPARTE>93</IDEPARTE></Partenaire><DemandeRSA><DTDEMRSA>{dtdem}</DTDEMRSA><NUMDEMRSA>{numdem}</NUMDEMRSA></DemandeRSA></IdentificationRSA>")
    x += "".join(persons)
    x += f"<DonneesAdministratives><SituationFamille><SITFAM>{sitfam}</SITFAM><DDSITFAM>2020-06-01</DDSITFAM></SituationFamille>{adresse}</DonneesAdministratives>"
    x += f"<PrestationRSA><SituationDossierRSA><EtatDossierRSA><ETATDOSRSA>{etat}</ETATDOSRSA></EtatDossierRSA>{situation_extra}</SituationDossierRSA>"
    x += f"<DetailDroitRSA><TroncCommunDroitRSA><TOPSANSDOMFIXE>{'true' if sdf else 'false'}</TOPSANSDOMFIXE>"
    if enfants is not None: x += f"<NBENFAUTCHA>{enfants}</NBENFAUTCHA>"
    x += f"<ORIDEMRSA>RSA</ORIDEMRSA><TOPFOYDRODEVORSA>true</TOPFOYDRODEVORSA></TroncCommunDroitRSA>{droits_extra}</DetailDroitRSA></PrestationRSA>"
    x += tail + "</InfosFoyerRSA>"
    return x

MONTANTS = "<MontantsCalculDroitRSA><DDELECAL>2026-09-01</DDELECAL><MTREVMINIGARARSA>635.71</MTREVMINIGARARSA><MTREVGARARSA>635.71</MTREVGARARSA><MTRESSMENRSA>412.50</MTRESSMENRSA><MTTOTDRORSA>223.21</MTTOTDRORSA></MontantsCalculDroitRSA>"
TIERS = "<AvisPCGDroitRSA><PaiementTiers><AVISDESTPAIRSA>F</AVISDESTPAIRSA><DTAVISDESTPAIRSA>2026-02-01</DTAVISDESTPAIRSA><NOMTIE>Bailleur social Est Ensemble</NOMTIE><TYPEPERSTIE>M</TYPEPERSTIE></PaiementTiers></AvisPCGDroitRSA>"
CONTROLE = ("<Controle><ControleAdministratif><IdentificationCibleControleAdministratif><DTEFFCIBCONTRO>2026-04-01</DTEFFCIBCONTRO><CIBCONTRO>RES</CIBCONTRO></IdentificationCibleControleAdministratif>"
            "<IdentificationControleAdministratif><DTDETECCONTRO>2026-04-02</DTDETECCONTRO><DTCLOCONTRO>2026-05-10</DTCLOCONTRO></IdentificationControleAdministratif>"
            "<ModaliteControleAdministratif><LIBCIBCONTRO>Contrôle des ressources</LIBCIBCONTRO><FAMCIBCONTRO>01</FAMCIBCONTRO><NATCIBCONTRO>RES</NATCIBCONTRO><COMMACONTRO>PIE</COMMACONTRO><TYPECONTRO>01</TYPECONTRO></ModaliteControleAdministratif>"
            "<ResultatControleAdministratif><TYPEIMPACCONTRO>N</TYPEIMPACCONTRO></ResultatControleAdministratif></ControleAdministratif></Controle>")

def flux(typeflux, dtcrea, dtref, households, announced=None, encoding="windows-1252"):
    body = "".join(households)
    n = len(households) if announced is None else announced
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<Racine>\n<IdentificationFlux><APPLIEME>CRI</APPLIEME><NUMVERSIONAPPLIEME>0801</NUMVERSIONAPPLIEME>'
            f"<TYPEFLUX>{typeflux}</TYPEFLUX><NATFLUX>1</NATFLUX><DTCREAFLUX>{dtcrea}</DTCREAFLUX><HEUCREAFLUX>04:12:00</HEUCREAFLUX><DTREF>{dtref}</DTREF></IdentificationFlux>\n"
            + body.replace("<InfosFoyerRSA>", "\n<InfosFoyerRSA>").replace("<Personne>", "\n  <Personne>")
            + f"\n<TransmissionFlux><NBTOTDOSRSATRANSM>{n}</NBTOTDOSRSATRANSM><NBTOTDOSRSATRANSMANO>0</NBTOTDOSRSATRANSMANO></TransmissionFlux>\n</Racine>\n")

# Household 1: a couple and a child, Montreuil; pregnancy, resources, alimony, third-party payment, control: all left out.
h1 = household("CAF", "931", "0123456", "93100000001", "2024-02-12", [
    person("MME", "Hérisson", "Hérisson", "Noémie", "Saint-Étienne", "1991-04-17", "2910442218003", "2", "DEM", True, "1234567A",
           extra=RESSOURCES + duties("true") + GROSSESSE),
    person("M", "Hérisson", "Lefèvre", "Jérôme", "Besançon", "1988-11-02", "1881125056012", "1", "CJT", False,
           extra=duties("true") + PENSION),
    person(None, "Hérisson", "Hérisson", "Zoé", "Montreuil", "2019-08-30", None, "2", "ENF", False),
], "MAR", adresse_fr("Bâtiment B", "12", "rue", "de l'Église", "93048", "93100", "Montreuil"), "2",
   droits_extra=MONTANTS + TIERS, enfants=1, tail=CONTROLE)
# Household 2: MSA, alone, suspended payment; Œ and œ exist in windows-1252 and not in ISO-8859-1.
h2 = household("MSA", "931", "7654321", "93100000002", "2023-10-05", [
    person("MME", "Œillet", "Œillet", "Françoise", "Nîmes", "1975-01-09", "2750130189044", "2", "DEM", True, None,
           extra=duties("true")),
], "DIV", adresse_fr("", "3", "allée", "des Cœurs Vaillants", "93066", "93200", "Saint-Denis"), "4",
   situation_extra="<SuspensionVersement><MOTISUSVERSRSA>06</MOTISUSVERSRSA><DDSUSVERSRSA>2026-08-01</DDSUSVERSRSA></SuspensionVersement>", enfants=0)
# Household 3: closed last month, no fixed abode.
h3 = household("CAF", "931", "0009876", "93100000003", "2022-01-20", [
    person("M", "Ngô", "Ngô", "Thành", "Hô Chi Minh-Ville", "1983-06-21", "1830699352077", "1", "DEM", True, "7654321B",
           extra=duties("false")),
], "CEL", adresse_fr("Chez Mme Dubœuf", "5", "place", "Jean-Jaurès", "93008", "93000", "Bobigny"), "6",
   situation_extra="<FinDroitMoisAnterieur><MOTICLORSA>PCG</MOTICLORSA><DTCLORSA>2026-09-30</DTCLORSA></FinDroitMoisAnterieur>", sdf=True)

monthly = flux("M", "2026-10-03", "2026-09-30", [h1, h2, h3])
open(HERE + "/flux-mensuel.xml", "wb").write(monthly.encode("cp1252"))

# Daily: a new application, and household 1 moved (address change).
h4 = household("CAF", "931", "0555555", "93100000004", "2026-10-08", [
    person("MME", "Benaïssa", "Benaïssa", "Anaïs", "Créteil", "1999-12-01", "2991294028066", "2", "DEM", True),
], "CEL", adresse_fr("", "41", "avenue", "Gabriel Péri", "93070", "93400", "Saint-Ouen-sur-Seine"), "0", enfants=0)
h1_moved = h1.replace("de l'Église", "Édouard Vaillant").replace("<NUMVOIE>12</NUMVOIE>", "<NUMVOIE>7</NUMVOIE>").replace(MONTANTS + TIERS, "").replace(CONTROLE, "")
daily = flux("I", "2026-10-09", "2026-10-08", [h4, h1_moved])
open(HERE + "/flux-quotidien.xml", "wb").write(daily.encode("cp1252"))

# Invalid: household 2 breaks the schema (SEXE of two characters, a date that is not one); the others are fine.
bad_h2 = h2.replace("<SEXE>2</SEXE>", "<SEXE>22</SEXE>").replace("<DTDEMRSA>2023-10-05</DTDEMRSA>", "<DTDEMRSA>2023-13-45</DTDEMRSA>")
invalid = flux("M", "2026-10-03", "2026-09-30", [h1, bad_h2, h3])
open(HERE + "/flux-foyer-invalide.xml", "wb").write(invalid.encode("cp1252"))
